package dev.gatehouse.gateway.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.tunnel.netns.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Relayed against direct, in the same run, on {@link RelayedPathScenarios}'s namespaces (client
 * behind a NAT, gatehouse-relay, gateway, resource): through the tunnel, ping RTT and iperf3 TCP
 * throughput both ways, first with the gateway's inbound port closed (relayed), then open (the
 * direct path promoted); the relay process's CPU time per GB it relayed. Not a test: run by {@code
 * relay/scripts/relaybench.sh}, which prints the {@code RESULT} lines.
 */
class RelayedPathBench {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String TUNNEL_TARGET = "172.31.2.2";

  record Figures(
      String path, double rttMs, double upMbps, double downMbps, double relayCpuSecondsPerGb) {}

  @BeforeAll
  static void start() throws Exception {
    // The relay's capacity, not its default per-credential limit (100 Mbit/s, which the fake API
    // node's one credential for everyone would share).
    RelayedPathScenarios.relayFlags = List.of("--rate-limit", "0");
    RelayedPathScenarios.startEverything();
    RelayedPathScenarios.lab.start(
        RelayedPathScenarios.res,
        RelayedPathScenarios.lab.dir.resolve("iperf3.log"),
        "iperf3",
        "-s",
        "-B",
        TUNNEL_TARGET,
        "-p",
        "5201");
  }

  @AfterAll
  static void stop() throws IOException {
    RelayedPathScenarios.stopEverything();
  }

  @Test
  void relayedAgainstDirect() throws Exception {
    List<Figures> rows = new ArrayList<>();
    assertThat(RelayedPathScenarios.fetch(60)).isEqualTo(RelayedPathScenarios.PAGE);
    RelayedPathScenarios.awaitStatus("path: " + RelayedPathScenarios.GATEWAY + " relayed ");
    rows.add(measure("relayed"));

    RelayedPathScenarios.ns(RelayedPathScenarios.gw, "nft", "delete", "table", "inet", "inbound");
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                RelayedPathScenarios.status()
                    .contains("path: " + RelayedPathScenarios.GATEWAY + " direct "));
    RelayedPathScenarios.fetch(10);
    rows.add(measure("direct"));

    String load = Files.readString(Path.of("/proc/loadavg")).trim();
    Figures relayed = rows.get(0);
    Figures direct = rows.get(1);
    for (Figures f : rows) {
      System.out.printf(
          "RESULT %-8s rtt %.3f ms, up %.0f Mbit/s, down %.0f Mbit/s, relay CPU %.2f s/GB%n",
          f.path(), f.rttMs(), f.upMbps(), f.downMbps(), f.relayCpuSecondsPerGb());
    }
    System.out.printf(
        "RESULT relayed/direct: up %.2fx, down %.2fx, added rtt %.3f ms; load average %s%n",
        relayed.upMbps() / direct.upMbps(),
        relayed.downMbps() / direct.downMbps(),
        relayed.rttMs() - direct.rttMs(),
        load);
  }

  private Figures measure(String path) throws Exception {
    for (String interval : List.of("0.2", "0.05", "0.01", "0.002")) {
      System.out.printf("RESULT %s ping -i %s: %.3f ms%n", path, interval, rtt(50, interval));
    }
    double rtt = rtt(50, "0.05");
    long cpu0 = relayCpuTicks();
    double bytes0 = RelayedPathScenarios.relayedBytes();
    double up = iperf(false);
    double down = iperf(true);
    double gb = (RelayedPathScenarios.relayedBytes() - bytes0) / 1e9;
    for (String ns :
        List.of(
            RelayedPathScenarios.cl,
            RelayedPathScenarios.nat,
            RelayedPathScenarios.core,
            RelayedPathScenarios.relayNs,
            RelayedPathScenarios.gw)) {
      String counters =
          NetnsLab.inNs(ns, 10, "nstat", "-a")
              .output()
              .lines()
              .filter(
                  l ->
                      l.matches(
                          "^(Udp\\w*Errors|UdpInErrors|IpOutDiscards|IpInDiscards|TcpRetransSegs)\\s.*"))
              .map(l -> l.replaceAll("\\s+", " "))
              .reduce((a, b) -> a + "; " + b)
              .orElse("");
      System.out.printf("RESULT %s counters %s: %s%n", path, ns, counters);
    }
    double cpuSeconds = (relayCpuTicks() - cpu0) / 100.0; // USER_HZ
    return new Figures(path, rtt, up, down, gb < 0.001 ? Double.NaN : cpuSeconds / gb);
  }

  /** Average RTT of {@code n} pings through the tunnel, 50 ms apart. */
  private static double rtt(int n, String interval) throws IOException {
    String out =
        NetnsLab.inNs(
                RelayedPathScenarios.cl,
                30,
                "ping",
                "-q",
                "-c",
                Integer.toString(n),
                "-i",
                interval,
                TUNNEL_TARGET)
            .output();
    Matcher m = Pattern.compile("= [0-9.]+/([0-9.]+)/").matcher(out);
    assertThat(m.find()).as("ping output: " + out).isTrue();
    return Double.parseDouble(m.group(1));
  }

  /** iperf3 TCP for 5 s; received Mbit/s. */
  private static double iperf(boolean reverse) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("iperf3", "-c", TUNNEL_TARGET, "-p", "5201", "-t", "5", "-J"));
    if (reverse) {
      cmd.add("-R");
    }
    NetnsLab.Result r = NetnsLab.inNs(RelayedPathScenarios.cl, 40, cmd.toArray(String[]::new));
    assertThat(r.exit()).as("iperf3: " + r.output()).isZero();
    JsonNode received = JSON.readTree(r.output()).path("end").path("sum_received");
    return received.path("bits_per_second").asDouble() / 1e6;
  }

  /** User + system time of the relay process, in clock ticks. */
  private static long relayCpuTicks() throws IOException {
    String stat = Files.readString(Path.of("/proc/" + RelayedPathScenarios.relay.pid() + "/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(f[11]) + Long.parseLong(f[12]); // utime, stime (fields 14, 15)
  }
}
