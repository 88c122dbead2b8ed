package dev.gatehouse.tunnel.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * Network namespaces for ITs that need real links (the tunnel's wireguard-go interop, the
 * gateway/client netns IT): creates them with unique names, runs commands and long-lived processes
 * inside them, and removes everything it created on {@link #close()} — processes by their own
 * handles, namespaces by name. Shared with other modules through the tunnel's test-jar.
 */
public final class NetnsLab implements AutoCloseable {
  /** Starts every namespace and link name of this lab; unique enough for concurrent runs. */
  public final String prefix;

  /** A fresh temporary directory for logs and files; kept on close, see {@link #deleteDir()}. */
  public final Path dir;

  private final List<String> namespaces = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();

  /**
   * @param namePrefix a few letters that start {@link #prefix} (keep names short: Linux caps
   *     interface names at 15 characters)
   * @param dirPrefix the prefix of the temporary directory's name
   */
  public NetnsLab(String namePrefix, String dirPrefix) throws IOException {
    prefix = namePrefix + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000));
    dir = Files.createTempDirectory(dirPrefix);
  }

  /**
   * Fails with a clear message unless we are root and the tools exist.
   *
   * @param what the test that cannot run, for the message
   * @param installHint how to install the tools, for the message
   */
  public static void requirePrerequisites(String what, String installHint, String... tools) {
    String user = System.getProperty("user.name");
    List<String> problems = new ArrayList<>();
    try {
      Process p = new ProcessBuilder("id", "-u").start();
      String uid = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      if (!uid.equals("0")) {
        problems.add("must run as root (uid 0), running as " + user + " uid " + uid);
      }
    } catch (IOException e) {
      problems.add("cannot run id -u: " + e.getMessage());
    }
    for (String tool : tools) {
      if (!onPath(tool)) {
        problems.add("'" + tool + "' not found on PATH");
      }
    }
    if (!Files.exists(Path.of("/dev/net/tun"))) {
      problems.add("/dev/net/tun is missing");
    }
    if (!problems.isEmpty()) {
      throw new AssertionError(
          what
              + " cannot run: "
              + String.join("; ", problems)
              + ". Install with: "
              + installHint
              + ", run as root,"
              + " or skip ITs explicitly with -DskipITs.");
    }
  }

  public static boolean onPath(String tool) {
    for (String d : System.getenv().getOrDefault("PATH", "/usr/bin:/bin").split(":")) {
      if (Files.isExecutable(Path.of(d, tool))) {
        return true;
      }
    }
    return false;
  }

  /** Creates a namespace named {@code prefix-suffix} with loopback up; returns its name. */
  public String namespace(String suffix) throws IOException {
    String ns = prefix + "-" + suffix;
    sh("ip", "netns", "add", ns);
    namespaces.add(ns);
    sh("ip", "-n", ns, "link", "set", "lo", "up");
    return ns;
  }

  /** A veth pair between two namespaces with the given addresses (CIDR). */
  public void veth(String nsA, String ifA, String addrA, String nsB, String ifB, String addrB)
      throws IOException {
    sh("ip", "link", "add", ifA, "netns", nsA, "type", "veth", "peer", "name", ifB, "netns", nsB);
    sh("ip", "-n", nsA, "addr", "add", addrA, "dev", ifA);
    sh("ip", "-n", nsB, "addr", "add", addrB, "dev", ifB);
    sh("ip", "-n", nsA, "link", "set", ifA, "up");
    sh("ip", "-n", nsB, "link", "set", ifB, "up");
  }

  /** Runs a command to completion (60 s max); throws with its output if it fails. */
  public static String sh(String... cmd) throws IOException {
    Result r = run(60, cmd);
    if (r.exit != 0) {
      throw new IOException(String.join(" ", cmd) + " exited " + r.exit + ": " + r.output);
    }
    return r.output;
  }

  /** A finished command: its exit code (-1 on timeout) and combined stdout and stderr. */
  public record Result(int exit, String output) {}

  /** Runs a command with a timeout and returns exit code and combined output. */
  public static Result run(int timeoutSeconds, String... cmd) throws IOException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
        return new Result(-1, "timed out after " + timeoutSeconds + " s: " + String.join(" ", cmd));
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(p.exitValue(), out);
  }

  /** Runs {@code cmd} in {@code ns}. */
  public static Result inNs(String ns, int timeoutSeconds, String... cmd) throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(cmd));
    return run(timeoutSeconds, full.toArray(String[]::new));
  }

  /** Starts a long-lived process in {@code ns}, output to {@code log}. */
  public Process start(String ns, Path log, String... cmd) throws IOException {
    return start(ns, log, Map.of(), cmd);
  }

  /** Starts a long-lived process in {@code ns} with extra environment, output to {@code log}. */
  public Process start(String ns, Path log, Map<String, String> env, String... cmd)
      throws IOException {
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", ns));
    full.addAll(List.of(cmd));
    ProcessBuilder pb =
        new ProcessBuilder(full)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().putAll(env);
    Process p = pb.start();
    processes.add(p);
    return p;
  }

  /** Stops a process this lab started (SIGTERM, then SIGKILL after 5 s). */
  public static void stop(Process p) {
    if (p == null || !p.isAlive()) {
      return;
    }
    p.destroy();
    try {
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        p.waitFor(5, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops the processes this lab started and deletes its namespaces; {@link #dir} stays. */
  @Override
  public void close() {
    for (Process p : processes.reversed()) {
      stop(p);
    }
    for (String ns : namespaces) {
      try {
        run(10, "ip", "netns", "del", ns);
      } catch (IOException e) {
        // best effort
      }
    }
  }

  /** Deletes {@link #dir} and all in it, best effort (for a test that has printed its logs). */
  public void deleteDir() {
    try (var files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
    } catch (IOException e) {
      // best effort
    }
  }
}
