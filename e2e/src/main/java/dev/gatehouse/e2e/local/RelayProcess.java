package dev.gatehouse.e2e.local;

import dev.gatehouse.relay.turn.RelayMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The TURN relay ({@code gatehouse-relay}) in the lab's relay namespace, as the chart's hostNetwork
 * relay runs: credentials minted by the API nodes from the secret they share with it.
 */
public final class RelayProcess implements AutoCloseable {
  private static final int METRICS_PORT = 9464;

  private final LabNetwork lab;
  private final ManagedProcess process;

  private RelayProcess(LabNetwork lab, ManagedProcess process) {
    this.lab = lab;
    this.process = process;
  }

  /** Starts the relay with {@code secret}; returns once its metrics answer. */
  public static RelayProcess start(LabNetwork lab, String secret, Path work, Path logs)
      throws IOException, InterruptedException {
    Files.createDirectories(work);
    Path secretFile = work.resolve("relay.secret");
    Files.writeString(secretFile, secret + "\n");
    String java = System.getProperty("java.home") + "/bin/java";
    ManagedProcess process =
        ManagedProcess.start(
            "relay",
            Commands.inNamespace(
                lab.relayNamespace(),
                List.of(
                    java,
                    "-cp",
                    System.getProperty("java.class.path"),
                    "dev.gatehouse.relay.server.Main",
                    "--listen",
                    lab.relayAddress() + ":" + LabNetwork.RELAY_PORT,
                    "--metrics-listen",
                    lab.relayAddress() + ":" + METRICS_PORT,
                    "--secret-file",
                    secretFile.toString())),
            Map.of(),
            logs.resolve("relay.log"));
    RelayProcess relay = new RelayProcess(lab, process);
    for (int i = 0; i < 150 && !relay.metrics().contains("gatehouse_relay_allocations "); i++) {
      if (!process.alive()) {
        throw new IOException("the relay exited; see " + process.log());
      }
      Thread.sleep(200);
    }
    if (!relay.metrics().contains("gatehouse_relay_allocations ")) {
      relay.close();
      throw new IOException("the relay did not come up; see " + process.log());
    }
    return relay;
  }

  /** {@code host:port} for {@code GATEHOUSE_RELAYS}. */
  public String address() {
    return lab.relayAddress() + ":" + LabNetwork.RELAY_PORT;
  }

  /** The relay's Prometheus text, or empty when it does not answer. */
  public String metrics() {
    try {
      return Commands.runIn(
          lab.relayNamespace(),
          "curl",
          "-s",
          "-m",
          "2",
          "http://" + lab.relayAddress() + ":" + METRICS_PORT + "/metrics");
    } catch (IOException | InterruptedException e) {
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
      return "";
    }
  }

  /** Payload bytes relayed so far, both directions. */
  public long bytesRelayed() {
    return RelayMetrics.bytesRelayed(metrics());
  }

  /** Allocations currently held. */
  public long allocations() {
    Matcher m = Pattern.compile("(?m)^gatehouse_relay_allocations ([0-9]+)").matcher(metrics());
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  @Override
  public void close() {
    process.close();
  }
}
