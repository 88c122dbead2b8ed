package dev.gatehouse.e2e.local;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The operator jar with its embedded API node, as the chart runs it, on the host: it talks to the
 * local kube-apiserver and PostgreSQL over loopback and serves the API node on the lab's pod
 * network address. Restartable, so a scenario can take the API node away and bring it back.
 */
public final class OperatorProcess implements AutoCloseable {
  private final Path jar;
  private final Map<String, String> environment;
  private final Path log;
  private final int healthPort;
  private ManagedProcess process;
  private int starts;

  public OperatorProcess(
      Path repository, Map<String, String> environment, Path log, int healthPort) {
    this.jar = repository.resolve("operator/target/gatehouse-operator-0.1.0-SNAPSHOT.jar");
    this.environment = Map.copyOf(environment);
    this.log = log;
    this.healthPort = healthPort;
  }

  /** Starts the operator and waits until it reports ready. */
  public OperatorProcess start() throws IOException, InterruptedException {
    if (!Files.exists(jar)) {
      throw new IllegalStateException(
          jar + " is missing: build it with ./mvnw -pl operator -am package");
    }
    starts++;
    process =
        ManagedProcess.start(
            "operator #" + starts,
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "--sun-misc-unsafe-memory-access=allow",
                "-jar",
                jar.toString()),
            environment,
            log);
    String readyz = "http://127.0.0.1:" + healthPort + "/readyz";
    for (int i = 0; i < 240; i++) {
      if (!process.alive()) {
        throw new IOException("the operator exited (" + process.waitFor(1) + "); see " + log);
      }
      if (Commands.succeeds(List.of("curl", "-sf", "-m", "1", "-o", "/dev/null", readyz))) {
        return this;
      }
      Thread.sleep(250);
    }
    throw new IOException("the operator did not become ready in 60 s; see " + log);
  }

  /** Stops it as a rolling update would (SIGTERM). */
  public void stop() {
    if (process != null) {
      process.close();
    }
  }

  public ManagedProcess process() {
    return process;
  }

  @Override
  public void close() {
    stop();
  }
}
