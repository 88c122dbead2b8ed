package dev.gatehouse.e2e.kubelet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each pod in a network namespace of its own (needs root), wired to a bridge in a hub
 * namespace so pods reach each other on 10.244.0.0/24 — addresses that exist only inside the
 * namespaces this launcher creates. The gateway image runs as the locally built gateway-sidecar.
 */
public final class NetnsPodLauncher implements PodLauncher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NetnsPodLauncher.class);

  private final Path repository;
  private final Path logs;
  private final String prefix =
      "ghk" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0x10000));
  private final String hub = prefix + "-hub";
  private final AtomicInteger nextHost = new AtomicInteger(10);

  public NetnsPodLauncher(Path repository, Path logs) throws IOException, InterruptedException {
    this.repository = repository;
    this.logs = logs;
    Files.createDirectories(logs);
    run("ip", "netns", "add", hub);
    run("ip", "-n", hub, "link", "add", "br0", "type", "bridge");
    run("ip", "-n", hub, "link", "set", "br0", "up");
    run("ip", "-n", hub, "link", "set", "lo", "up");
  }

  /** The command that stands for an image on this machine. */
  List<String> command(String image) {
    if (image.contains("gateway")) {
      Path jar = repository.resolve("gateway-sidecar/target/quarkus-app/quarkus-run.jar");
      if (!Files.exists(jar)) {
        throw new IllegalStateException(
            jar + " is missing: build it with ./mvnw -pl gateway-sidecar -am package");
      }
      return List.of(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "--enable-native-access=ALL-UNNAMED",
          "-jar",
          jar.toString());
    }
    throw new IllegalStateException("no local command for image " + image);
  }

  @Override
  public String reserveIp() {
    return "10.244.0." + nextHost.getAndIncrement();
  }

  @Override
  public Running launch(Launch launch) throws IOException, InterruptedException {
    String ip = launch.ip();
    int host = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
    String ns = prefix + "-p" + host;
    String hubSide = prefix + "h" + host;
    run("ip", "netns", "add", ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    run(
        "ip", "link", "add", hubSide, "netns", hub, "type", "veth", "peer", "name", "eth0", "netns",
        ns);
    run("ip", "-n", hub, "link", "set", hubSide, "master", "br0", "up");
    run("ip", "-n", ns, "addr", "add", ip + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");

    List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    command.addAll(command(launch.image()));
    Path log = logs.resolve(launch.podKey().replace('/', '_') + ".log");
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().putAll(launch.environment());
    Process process = builder.start();
    LOG.info(
        "pod {} runs as pid {} in {} ({}), log {}", launch.podKey(), process.pid(), ns, ip, log);
    return new Running() {
      @Override
      public String podIp() {
        return ip;
      }

      @Override
      public boolean ready() {
        return probe(ns, "http://127.0.0.1:8080/q/health/ready");
      }

      @Override
      public boolean alive() {
        return process.isAlive();
      }

      @Override
      public void stop() {
        process.descendants().forEach(ProcessHandle::destroy);
        process.destroy();
        try {
          if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
          }
          run("ip", "netns", "del", ns);
        } catch (IOException | InterruptedException e) {
          LOG.warn("cleaning up {}: {}", ns, e.getMessage());
        }
      }

      @Override
      public String toString() {
        return "pid " + process.pid() + " in " + ns;
      }
    };
  }

  /** Whether an HTTP GET inside the namespace answers 2xx. */
  static boolean probe(String ns, String url) {
    try {
      Process curl =
          new ProcessBuilder(
                  "ip", "netns", "exec", ns, "curl", "-sf", "-m", "2", "-o", "/dev/null", url)
              .redirectErrorStream(true)
              .start();
      curl.getInputStream().readAllBytes();
      return curl.waitFor(5, TimeUnit.SECONDS) && curl.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  @Override
  public void close() {
    try {
      run("ip", "netns", "del", hub);
    } catch (IOException | InterruptedException e) {
      LOG.warn("removing {}: {}", hub, e.getMessage());
    }
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes());
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
  }
}
