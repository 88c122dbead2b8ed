package dev.gatehouse.gateway.netns;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.tunnel.netns.NetnsLab;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The whole data path on real kernels, in three network namespaces: the client (our CLI, a real TUN
 * device and routes) in one, the gateway (the Quarkus app: TUN, forwarding, nftables masquerade)
 * with the fake API node in another, and a resource (the JDK's {@code jwebserver}) in a third that
 * only the gateway can reach and that has no route back to client tunnel addresses.
 *
 * <pre>
 *  client ns                gateway ns                       resource ns
 *  gh0 100.64.0.2  veth 172.31.1.2 ── 172.31.1.1  veth 172.31.2.1 ── 172.31.2.2 :8080
 *                                     fake API :18080
 *                                     gatehouse0 100.64.0.1
 * </pre>
 *
 * Needs root, iproute2, nftables and curl; fails (does not skip) without them.
 */
class GatewayClientNetnsIT {

  static final UUID GATEWAY = UUID.randomUUID();
  static final UUID CLIENT = UUID.randomUUID();
  static final UUID RESOURCE = UUID.randomUUID();
  static final String PAGE = "hello through gatehouse " + UUID.randomUUID() + "\n";
  static final String URL = "http://172.31.2.2:8080/index.html";

  static NetnsLab lab;
  static String gw;
  static String cl;
  static String res;
  static Process api;
  static Process gateway;
  static Process client;
  static Path apiLog;
  static Path gatewayLog;
  static Path clientLog;
  static Path statusFile;

  @BeforeAll
  static void startEverything() throws Exception {
    NetnsLab.requirePrerequisites(
        "Gateway/client netns IT",
        "apt-get install -y iproute2 nftables curl",
        "ip",
        "nft",
        "curl");
    lab = new NetnsLab("ghg", "gatehouse-netns-");
    gw = lab.namespace("gw");
    cl = lab.namespace("cl");
    res = lab.namespace("res");
    lab.veth(cl, "wan0", "172.31.1.2/24", gw, "wan0", "172.31.1.1/24");
    lab.veth(gw, "lan0", "172.31.2.1/24", res, "lan0", "172.31.2.2/24");

    NetnsParts.webServer(lab, res, "172.31.2.2", PAGE);
    apiLog = lab.dir.resolve("api.log");
    api =
        NetnsParts.fakeApi(
            lab, gw, apiLog, Map.of(), "172.31.1.1:18080", GATEWAY, CLIENT, RESOURCE, "172.31.2.2");
    gatewayLog = lab.dir.resolve("gateway.log");
    gateway =
        NetnsParts.gateway(lab, gw, gatewayLog, "172.31.1.1:18080", GATEWAY, "172.31.1.1:51820");
    await()
        .atMost(Duration.ofSeconds(60))
        .pollInterval(Duration.ofMillis(500))
        .failFast(() -> !gateway.isAlive())
        .until(() -> curl(gw, 2, "http://127.0.0.1:8080/q/health/ready").contains("\"UP\""));

    statusFile = lab.dir.resolve("client.status");
    clientLog = lab.dir.resolve("client.log");
    client = NetnsParts.client(lab, cl, clientLog, "172.31.1.1:18080", statusFile);
    await()
        .atMost(Duration.ofSeconds(30))
        .failFast(() -> !client.isAlive())
        .until(
            () ->
                NetnsLab.inNs(cl, 5, "ip", "route", "show", "dev", "gh0")
                    .output()
                    .contains("172.31.2.2"));
  }

  /**
   * The runnable client jar (manifest class path to {@code lib/}, {@code Enable-Native-Access}), as
   * users run it.
   */
  static Path clientJar() throws IOException {
    Path target = Path.of("../client/target").toAbsolutePath().normalize();
    try (var files = Files.list(target)) {
      return files
          .filter(f -> f.getFileName().toString().matches("gatehouse-client-[0-9].*[0-9T]\\.jar"))
          .findFirst()
          .orElseThrow(
              () ->
                  new AssertionError(
                      "no runnable gatehouse-client jar in "
                          + target
                          + ": build the client first (./mvnw -pl client install)"));
    } catch (java.nio.file.NoSuchFileException e) {
      throw new AssertionError(target + " is missing: build the client first", e);
    }
  }

  @AfterAll
  static void stopEverything() throws IOException {
    if (lab == null) {
      return;
    }
    try {
      for (Path log : new Path[] {apiLog, gatewayLog, clientLog}) {
        if (log != null && Files.exists(log)) {
          System.out.println("==== " + log.getFileName() + " ====");
          System.out.println(Files.readString(log));
        }
      }
    } finally {
      lab.close();
      lab.deleteDir(); // the logs are printed; the directory (logs, token files) goes
    }
  }

  static String curl(String ns, int seconds, String url) throws IOException {
    return NetnsLab.inNs(
            ns, seconds + 5, "curl", "-s", "--max-time", Integer.toString(seconds), url)
        .output();
  }

  static void awaitLog(Path log, String text, int seconds) {
    await()
        .atMost(Duration.ofSeconds(seconds))
        .until(() -> Files.exists(log) && Files.readString(log).contains(text));
  }

  static double metric(String line) throws IOException {
    String metrics = curl(gw, 5, "http://127.0.0.1:8080/q/metrics");
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(line) + " ([0-9.eE+-]+)$").matcher(metrics);
    return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
  }

  static double totalDrops() throws IOException {
    String metrics = curl(gw, 5, "http://127.0.0.1:8080/q/metrics");
    Matcher m =
        Pattern.compile("(?m)^gatehouse_gateway_drops_total\\{[^}]*} ([0-9.eE+-]+)$")
            .matcher(metrics);
    double sum = 0;
    while (m.find()) {
      sum += Double.parseDouble(m.group(1));
    }
    return sum;
  }

  void sendToApi(String command) throws IOException {
    OutputStream in = api.getOutputStream();
    in.write((command + "\n").getBytes(StandardCharsets.UTF_8));
    in.flush();
    awaitLog(apiLog, "DONE " + command, 10);
  }

  @Test
  void clientFetchesThePageThroughTheTunnelUntilAccessIsRevoked() throws Exception {
    // The resource is not reachable from the client namespace except through the tunnel.
    assertThat(NetnsLab.inNs(cl, 5, "ip", "route", "get", "172.31.2.2").output()).contains("gh0");

    // The first request creates the flow (its SYN is held, then released).
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(500))
        .until(() -> curl(cl, 3, URL).equals(PAGE));
    assertThat(Files.readString(apiLog)).contains("create_flow", "flow_authorized");
    assertThat(metric("gatehouse_gateway_flows_active")).isEqualTo(1.0);
    assertThat(metric("gatehouse_gateway_peers")).isEqualTo(1.0);
    assertThat(metric("gatehouse_gateway_handshakes_total")).isGreaterThanOrEqualTo(1.0);
    assertThat(metric("gatehouse_gateway_tun_packets_total{direction=\"out\"}")).isPositive();
    assertThat(metric("gatehouse_gateway_udp_bytes_total{direction=\"rx\"}")).isPositive();
    // the gateway runs on the FFM socket, which reports its own pushback and loss: none here
    assertThat(metric("gatehouse_gateway_udp_socket_dropped_total{direction=\"tx\"}")).isZero();
    assertThat(metric("gatehouse_gateway_udp_socket_dropped_total{direction=\"rx\"}")).isZero();
    assertThat(metric("gatehouse_gateway_udp_socket_queued_total")).isGreaterThanOrEqualTo(0.0);
    assertThat(metric("gatehouse_gateway_udp_socket_gso")).isEqualTo(1.0);
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () ->
                Files.readString(statusFile)
                    .contains("flow: " + RESOURCE + " active via " + GATEWAY));

    // Garbage at the WireGuard port is dropped and counted; traffic continues.
    double dropsBefore = totalDrops();
    NetnsLab.Result garbage =
        NetnsLab.inNs(
            cl,
            20,
            "bash",
            "-c",
            "for i in $(seq 1 25); do head -c $((RANDOM % 300 + 1)) /dev/urandom"
                + " > /dev/udp/172.31.1.1/51820; done");
    assertThat(garbage.exit()).as(garbage.output()).isZero();
    await().atMost(Duration.ofSeconds(10)).until(() -> totalDrops() >= dropsBefore + 25);
    assertThat(curl(cl, 5, URL)).isEqualTo(PAGE);

    // Revocation: the gateway removes the peer and the page is out of reach.
    sendToApi("reject " + CLIENT + " " + RESOURCE);
    await().atMost(Duration.ofSeconds(10)).until(() -> metric("gatehouse_gateway_peers") == 0.0);
    assertThat(metric("gatehouse_gateway_flows_active")).isZero();
    assertThat(curl(cl, 3, URL)).isEmpty();

    // The client exits 0 on SIGTERM and removes its routes.
    client.destroy();
    assertThat(client.waitFor(15, TimeUnit.SECONDS)).isTrue();
    assertThat(client.exitValue()).isZero();
  }

  @Test
  void clientExitCodesTellARefusedTokenFromAnUnreachableApi() throws Exception {
    Path badToken = lab.dir.resolve("bad.token");
    Files.writeString(badToken, "not-a-token\n");
    String java = System.getProperty("java.home") + "/bin/java";
    Process refused =
        lab.start(
            cl,
            lab.dir.resolve("client-refused.log"),
            java,
            "-jar",
            clientJar().toString(),
            "--api",
            "ws://172.31.1.1:18080/",
            "--token-file",
            badToken.toString(),
            "--interface",
            "gh1",
            "--status-file",
            lab.dir.resolve("refused.status").toString());
    assertThat(refused.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.exitValue()).as("auth refused").isEqualTo(3);

    Process unreachable =
        lab.start(
            cl,
            lab.dir.resolve("client-unreachable.log"),
            java,
            "-jar",
            clientJar().toString(),
            "--api",
            "ws://172.31.1.1:18081/client",
            "--token-file",
            badToken.toString(),
            "--interface",
            "gh2",
            "--give-up-after",
            "2",
            "--status-file",
            lab.dir.resolve("unreachable.status").toString());
    assertThat(unreachable.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(unreachable.exitValue()).as("API unreachable").isEqualTo(4);
  }
}
