package dev.gatehouse.e2e.kubelet;

import dev.gatehouse.e2e.local.Commands;
import dev.gatehouse.e2e.local.LabNetwork;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each pod in a network namespace of its own (needs root), wired to the pod network of a
 * {@link LabNetwork} (a bridge in its hub namespace) — addresses that exist only inside the
 * namespaces the lab creates. The gateway image runs as the locally built gateway-sidecar.
 */
public final class NetnsPodLauncher implements PodLauncher, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(NetnsPodLauncher.class);

  private final Path repository;
  private final Path logs;
  private final LabNetwork lab;
  private final AtomicInteger nextHost;

  public NetnsPodLauncher(Path repository, Path logs, LabNetwork lab) throws IOException {
    this.repository = repository;
    this.logs = logs;
    this.lab = lab;
    this.nextHost = new AtomicInteger(lab.firstPodHost());
    Files.createDirectories(logs);
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
    return lab.podPrefix() + "." + nextHost.getAndIncrement();
  }

  @Override
  public Running launch(Launch launch) throws IOException, InterruptedException {
    String ip = launch.ip();
    int host = Integer.parseInt(ip.substring(ip.lastIndexOf('.') + 1));
    String ns = lab.name() + "-p" + host;
    run("ip", "netns", "add", ns);
    run("ip", "-n", ns, "link", "set", "lo", "up");
    lab.attach(ns, lab.name() + "h" + host, ip);
    LabNetwork.etc(ns, "hosts", lab.clusterHosts());

    List<String> command = Commands.inNamespace(ns, command(launch.image()));
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
      public void kill() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
      }

      @Override
      public String namespace() {
        return ns;
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
          LabNetwork.forgetEtc(ns);
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
  public static boolean probe(String ns, String url) {
    return Commands.succeeds(
        Commands.inNamespace(ns, List.of("curl", "-sf", "-m", "2", "-o", "/dev/null", url)));
  }

  @Override
  public void close() {
    // the pods' namespaces go with their stop(); the network belongs to the lab
  }

  private static void run(String... command) throws IOException, InterruptedException {
    Commands.run(command);
  }
}
