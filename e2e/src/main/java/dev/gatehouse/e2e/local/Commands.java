package dev.gatehouse.e2e.local;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs short host commands ({@code ip}, {@code nft}, {@code curl}) and fails with their output. */
public final class Commands {
  private Commands() {}

  /** Runs a command to completion; throws with its output when it fails or takes over 30 s. */
  public static String run(String... command) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new IOException(String.join(" ", command) + " did not finish in 30 s");
    }
    if (process.exitValue() != 0) {
      throw new IOException(
          String.join(" ", command) + " failed (" + process.exitValue() + "): " + output.strip());
    }
    return output;
  }

  /** Runs a command with {@code stdin} as its input. */
  public static String runWithInput(String stdin, String... command)
      throws IOException, InterruptedException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      in.write(stdin.getBytes(StandardCharsets.UTF_8));
    }
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException(String.join(" ", command) + " failed: " + output.strip());
    }
    return output;
  }

  /** The command prefixed to run inside a network namespace. */
  public static List<String> inNamespace(String namespace, List<String> command) {
    List<String> all = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
    all.addAll(command);
    return all;
  }

  /** Runs a command inside a network namespace. */
  public static String runIn(String namespace, String... command)
      throws IOException, InterruptedException {
    return run(inNamespace(namespace, List.of(command)).toArray(String[]::new));
  }

  /** Whether a command exits 0 within its own time limit; never throws for a failed command. */
  public static boolean succeeds(List<String> command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      process.getInputStream().readAllBytes();
      return process.waitFor(10, TimeUnit.SECONDS) && process.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }
}
