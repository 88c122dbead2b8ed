package dev.gatehouse.gateway.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.tunnel.netns.NetnsLab;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A client outside the cluster reaches a gateway that has no reachable inbound port, through a real
 * relay, on real network namespaces:
 *
 * <pre>
 *   cl 10.77.1.2 ── nat (masquerade) ── core router ─┬─ relay 172.31.41.2:3478 (gatehouse-relay)
 *                                                     └─ gw 172.31.42.2 (gateway, fake API node) ── res
 * </pre>
 *
 * The gateway's firewall drops every new inbound UDP datagram (only answers to what it sent get
 * in), so its advertised endpoint 172.31.42.2:51820 is dead to the client. Tests, in order: the
 * page comes through the relay; the relay restarts and the session recovers by itself; the firewall
 * opens, the direct path is probed and promoted, and the relay carries nothing more; the direct
 * path breaks and the session falls back to the relay; a load balancer's address the gateway
 * advertises (as the operator's Service has) is probed and promoted while the pod address stays
 * blocked.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class RelayedPathScenarios {
  static final UUID GATEWAY = UUID.randomUUID();
  static final UUID CLIENT = UUID.randomUUID();
  static final UUID RESOURCE = UUID.randomUUID();
  static final String PAGE = "hello through the relay " + UUID.randomUUID() + "\n";
  static final String URL = "http://172.31.2.2:8080/index.html";
  static final String RELAY = "172.31.41.2:3478";
  static final String RELAY_METRICS = "http://172.31.41.2:9464/metrics";
  static final String ENDPOINT = "172.31.42.2:51820";
  static final String BALANCER = "172.31.43.10:51820";
  static final String API = "172.31.42.2:18080";

  static NetnsLab lab;
  static String cl;
  static String nat;
  static String core;
  static String relayNs;
  static String gw;
  static String res;
  static Process relay;
  static Path relayLog;
  static int relayStarts;

  /** Extra gatehouse-relay flags (the benchmark lifts the rate limit). */
  static List<String> relayFlags = List.of();

  static Path secretFile;
  static Path statusFile;
  static Path[] logs;

  /**
   * Whether the fake API node passes the client's candidates on to the gateway; without them the
   * gateway never permits the client's reflexive address, and the client has to cross the relay
   * through its own allocation.
   */
  static boolean forwardClientCandidates = true;

  static void startEverything() throws Exception {
    NetnsLab.requirePrerequisites(
        "Relayed path netns IT", "apt-get install -y iproute2 nftables curl", "ip", "nft", "curl");
    lab = new NetnsLab("ghr", "gatehouse-relay-netns-");
    cl = lab.namespace("cl");
    nat = lab.namespace("nat");
    core = lab.namespace("core");
    relayNs = lab.namespace("relay");
    gw = lab.namespace("gw");
    res = lab.namespace("res");
    lab.veth(cl, "wan0", "10.77.1.2/24", nat, "lan0", "10.77.1.1/24");
    lab.veth(nat, "wan0", "172.31.40.2/24", core, "a0", "172.31.40.1/24");
    lab.veth(relayNs, "wan0", "172.31.41.2/24", core, "b0", "172.31.41.1/24");
    lab.veth(gw, "wan0", "172.31.42.2/24", core, "c0", "172.31.42.1/24");
    lab.veth(gw, "lan0", "172.31.2.1/24", res, "lan0", "172.31.2.2/24");
    ns(cl, "ip", "route", "add", "default", "via", "10.77.1.1");
    ns(nat, "ip", "route", "add", "default", "via", "172.31.40.1");
    ns(relayNs, "ip", "route", "add", "default", "via", "172.31.41.1");
    ns(gw, "ip", "route", "add", "default", "via", "172.31.42.1");
    for (String router : new String[] {nat, core}) {
      ns(router, "sysctl", "-qw", "net.ipv4.ip_forward=1");
    }
    // The client's home router: everything leaving it comes from 172.31.40.2.
    nft(
        nat,
        "add table ip nat; add chain ip nat post { type nat hook postrouting priority 100; };"
            + " add rule ip nat post oifname wan0 masquerade");
    closeGatewayInbound();

    NetnsParts.webServer(lab, res, "172.31.2.2", PAGE);
    secretFile = lab.dir.resolve("relay.secret");
    Files.writeString(secretFile, "netns-relay-secret\n");
    startRelay();

    Path apiLog = lab.dir.resolve("api.log");
    NetnsParts.fakeApi(
        lab,
        gw,
        apiLog,
        Map.of(
            "FAKE_RELAY",
            RELAY,
            "FAKE_RELAY_SECRET",
            "netns-relay-secret",
            "FAKE_FORWARD_CLIENT_CANDIDATES",
            Boolean.toString(forwardClientCandidates)),
        API,
        GATEWAY,
        CLIENT,
        RESOURCE,
        "172.31.2.2",
        "tcp:5201", // iperf3 and ping, for RelayedPathBench
        "icmp:0");
    Path gatewayLog = lab.dir.resolve("gateway.log");
    Process gateway = NetnsParts.gateway(lab, gw, gatewayLog, API, GATEWAY, ENDPOINT);
    GatewayClientNetnsIT.awaitLog(gatewayLog, "relay relay-0: allocated", 60);

    statusFile = lab.dir.resolve("client.status");
    Path clientLog = lab.dir.resolve("client.log");
    Process client = NetnsParts.client(lab, cl, clientLog, API, statusFile);
    logs = new Path[] {apiLog, gatewayLog, clientLog};
    GatewayClientNetnsIT.awaitLog(clientLog, "relay relay-0: allocated", 30);
    assertThat(gateway.isAlive() && client.isAlive()).isTrue();
  }

  static void stopEverything() throws IOException {
    if (lab == null) {
      return;
    }
    try {
      for (int i = 0; i < relayStarts; i++) {
        print(lab.dir.resolve("relay-" + i + ".log"));
      }
      for (Path log : logs == null ? new Path[0] : logs) {
        print(log);
      }
    } finally {
      lab.close();
      lab.deleteDir();
    }
  }

  @Test
  @Order(1)
  void withNoInboundPortTheClientReachesTheResourceThroughTheRelay() throws Exception {
    // the advertised endpoint really is unreachable from the client's network
    assertThat(NetnsLab.inNs(cl, 10, "ping", "-c", "1", "-W", "1", "172.31.42.2").exit())
        .as("ICMP is not filtered, so the route exists")
        .isZero();

    double before = relayedBytes();
    assertThat(fetch(60)).isEqualTo(PAGE);
    awaitStatus(
        "path: "
            + GATEWAY
            + " relayed 172\\.31\\.41\\.2:\\d+"
            + (forwardClientCandidates ? "\n" : " \\(via our allocation\\)"));
    assertThat(relayedBytes()).isGreaterThan(before + PAGE.length());
    assertThat(gatewayMetric("gatehouse_gateway_relayed_bytes_total{direction=\"rx\"}"))
        .isGreaterThan(0);
  }

  @Test
  @Order(2)
  void afterTheRelayRestartsTheSessionRecoversWithoutTheClientDoingAnything() throws Exception {
    NetnsLab.stop(relay);
    startRelay();
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofSeconds(1))
        .until(() -> curl(3).equals(PAGE));
    awaitStatus("path: " + GATEWAY + " relayed ");
    awaitStatus("relay_allocations_total: [2-9]");
  }

  @Test
  @Order(3)
  void whenTheDirectPathOpensItIsPromotedAndTheRelayCarriesNothingMore() throws Exception {
    ns(gw, "nft", "delete", "table", "inet", "inbound");
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> status().contains("path: " + GATEWAY + " direct " + ENDPOINT));
    assertThat(fetch(10)).isEqualTo(PAGE); // the gateway roams to the direct path on this
    double settled = relayedBytes();
    for (int i = 0; i < 3; i++) {
      assertThat(fetch(10)).isEqualTo(PAGE);
    }
    assertThat(relayedBytes()).as("relay bytes after promotion").isEqualTo(settled);
  }

  @Test
  @Order(4)
  void whenTheDirectPathBreaksTheSessionFallsBackToTheRelay() throws Exception {
    nft(
        nat,
        "add table ip block; add chain ip block drop_direct { type filter hook forward priority 0; };"
            + " add rule ip block drop_direct ip daddr 172.31.42.2 udp dport 51820 drop");
    double before = relayedBytes();
    assertThat(fetch(40)).isEqualTo(PAGE);
    awaitStatus("path: " + GATEWAY + " relayed ");
    assertThat(relayedBytes()).isGreaterThan(before + PAGE.length());
  }

  @Test
  @Order(5)
  void aLoadBalancerAddressTheGatewayAdvertisesIsProbedAndPromoted() throws Exception {
    // The pod address stays blocked from the client's network (test 4); a load balancer's address
    // in front of the gateway forwards to it, as a LoadBalancer Service's does.
    nft(
        core,
        "add table ip lb; add chain ip lb pre { type nat hook prerouting priority -100; };"
            + " add rule ip lb pre ip daddr 172.31.43.10 udp dport 51820"
            + " dnat to 172.31.42.2:51820");
    assertThat(status()).contains("path: " + GATEWAY + " relayed ");
    Files.writeString(NetnsParts.endpointsFile(lab), "172.31.43.10:51820\n");

    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> status().contains("path: " + GATEWAY + " direct " + BALANCER));
    assertThat(fetch(10)).isEqualTo(PAGE);
    double settled = relayedBytes();
    for (int i = 0; i < 3; i++) {
      assertThat(fetch(10)).isEqualTo(PAGE);
    }
    assertThat(relayedBytes()).as("relay bytes after promotion").isEqualTo(settled);
    assertThat(status()).contains("path: " + GATEWAY + " direct " + BALANCER);
  }

  // ------------------------------------------------------------------------------------------

  static void print(Path log) throws IOException {
    if (Files.exists(log)) {
      System.out.println("==== " + log.getFileName() + " ====");
      System.out.println(Files.readString(log));
    }
  }

  static void startRelay() throws IOException {
    relayLog = lab.dir.resolve("relay-" + relayStarts++ + ".log");
    String java = System.getProperty("java.home") + "/bin/java";
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "-cp",
                System.getProperty("java.class.path"),
                "dev.gatehouse.relay.server.Main",
                "--listen",
                RELAY,
                "--metrics-listen",
                "172.31.41.2:9464",
                "--secret-file",
                secretFile.toString()));
    cmd.addAll(relayFlags);
    relay = lab.start(relayNs, relayLog, cmd.toArray(String[]::new));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(300))
        .until(() -> metricsText().contains("gatehouse_relay_allocations "));
  }

  static void closeGatewayInbound() throws IOException {
    nft(
        gw,
        "add table inet inbound; add chain inet inbound in { type filter hook input priority 0;"
            + " policy accept; }; add rule inet inbound in ct state established,related accept;"
            + " add rule inet inbound in udp dport 51820 drop");
  }

  static String fetch(int seconds) {
    String[] page = {""};
    await()
        .atMost(Duration.ofSeconds(seconds))
        .pollInterval(Duration.ofMillis(500))
        .until(
            () -> {
              page[0] = curl(5);
              return page[0].equals(PAGE);
            });
    return page[0];
  }

  static String curl(int seconds) throws IOException {
    return GatewayClientNetnsIT.curl(cl, seconds, URL);
  }

  /** The status file is written every second: what it says may lag what just happened. */
  static void awaitStatus(String pattern) {
    await()
        .atMost(Duration.ofSeconds(5))
        .pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(status()).containsPattern(pattern));
  }

  static String status() throws IOException {
    return Files.exists(statusFile) ? Files.readString(statusFile, StandardCharsets.UTF_8) : "";
  }

  static String metricsText() throws IOException {
    return NetnsLab.inNs(relayNs, 10, "curl", "-s", "--max-time", "3", RELAY_METRICS).output();
  }

  static double relayedBytes() throws IOException {
    return RelayMetrics.bytesRelayed(metricsText());
  }

  static double gatewayMetric(String line) throws IOException {
    String metrics = GatewayClientNetnsIT.curl(gw, 5, "http://127.0.0.1:8080/q/metrics");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static void ns(String ns, String... cmd) throws IOException {
    NetnsLab.Result r = NetnsLab.inNs(ns, 10, cmd);
    if (r.exit() != 0) {
      throw new IOException(String.join(" ", cmd) + " in " + ns + ": " + r.output());
    }
  }

  static void nft(String ns, String script) throws IOException {
    ns(ns, "nft", script);
  }
}
