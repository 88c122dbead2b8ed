package dev.gatehouse.tunnel.interop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.tunnel.netns.NetnsLab;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Our tunnel ({@code TunnelRunner} on a FFM TUN device) against wireguard-go configured with {@code
 * wg set}, each in its own network namespace joined by a veth pair. Needs root, iproute2,
 * wireguard-tools, iperf3, ping and Go (the test builds wireguard-go itself with {@code
 * e2e/scripts/wireguard-go.sh}); it fails with a clear message when any is missing.
 */
class WireGuardGoInteropIT {
  private static final String OURS_TUN_IP = "10.201.0.1";
  private static final String THEIRS_TUN_IP = "10.201.0.2";
  private static final String OURS_TUN_IP6 = "fd00:201::1";
  private static final String THEIRS_TUN_IP6 = "fd00:201::2";
  private static final String OURS_UNDERLAY = "192.168.201.1";
  private static final String THEIRS_UNDERLAY = "192.168.201.2";
  private static final int PORT = 51820;
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String upstreamWireguardGo;

  private NetnsLab lab;
  private String nsOurs;
  private String nsTheirs;
  private String theirsIf;
  private StaticIdentity ours;
  private StaticIdentity theirs;
  private Path psk;
  private Process oursProcess;
  private Process theirsProcess;
  private Path oursLog;
  private Path theirsLog;

  @BeforeAll
  static void prerequisites() throws IOException {
    NetnsLab.requirePrerequisites(
        "Tunnel interop IT",
        "apt-get install -y iproute2 wireguard-tools iperf3 iputils-ping"
            + " (and Go for e2e/scripts/wireguard-go.sh)",
        "ip",
        "wg",
        "iperf3",
        "ping");
    Path script = Path.of("..", "e2e", "scripts", "wireguard-go.sh").toAbsolutePath().normalize();
    if (!Files.isExecutable(script)) {
      throw new AssertionError("missing " + script + " (run the IT from the tunnel module)");
    }
    NetnsLab.Result r = NetnsLab.run(600, script.toString());
    if (r.exit() != 0) {
      throw new AssertionError(
          "building wireguard-go failed (exit " + r.exit() + "): " + r.output());
    }
    String[] lines = r.output().trim().split("\n");
    upstreamWireguardGo = lines[lines.length - 1].trim();
    assertThat(Path.of(upstreamWireguardGo)).isExecutable();
  }

  @BeforeEach
  void setUp() throws IOException {
    lab = new NetnsLab("ght", "gatehouse-interop-");
    nsOurs = lab.namespace("o");
    nsTheirs = lab.namespace("t");
    lab.veth(
        nsOurs,
        lab.prefix + "vo",
        OURS_UNDERLAY + "/24",
        nsTheirs,
        lab.prefix + "vt",
        THEIRS_UNDERLAY + "/24");
    theirsIf = lab.prefix + "w";
    ours = StaticIdentity.generate();
    theirs = StaticIdentity.generate();
    psk = lab.dir.resolve("psk");
    Files.writeString(psk, StaticIdentity.encodeKey(StaticIdentity.generate().privateKey()) + "\n");
    oursLog = lab.dir.resolve("ours.log");
    theirsLog = lab.dir.resolve("wireguard-go.log");
  }

  @AfterEach
  void tearDown() throws IOException {
    if (lab != null) {
      lab.close();
      System.out.println("--- our tunnel log (" + oursLog + ") ---");
      if (Files.exists(oursLog)) {
        Files.readAllLines(oursLog).stream().limit(200).forEach(System.out::println);
      }
    }
  }

  // ------------------------------------------------------------------ tests

  @Test
  void ourTunnelInitiatesPingAndBulkTcpBothWays() throws Exception {
    startTheirs(upstreamWireguardGo, false);
    startOurs(true, 0);
    awaitPing(nsOurs, THEIRS_TUN_IP);
    assertThat(ping(nsTheirs, OURS_TUN_IP, 5)).as("ping back from wireguard-go").isEqualTo(5);
    assertThat(handshakeCount()).isGreaterThanOrEqualTo(1);
    assertThat(theirLatestHandshake()).as("wireguard-go saw a handshake").isPositive();
    // IPv6 inside the same session (our Address gets duplicate address detection: wait for it)
    awaitPing(nsOurs, THEIRS_TUN_IP6);
    assertThat(ping(nsTheirs, OURS_TUN_IP6, 3)).as("ping6 back from wireguard-go").isEqualTo(3);

    startIperfServer(nsTheirs, THEIRS_TUN_IP);
    double up = iperf(nsOurs, THEIRS_TUN_IP, false);
    double down = iperf(nsOurs, THEIRS_TUN_IP, true);
    System.out.printf(
        "iperf3 through tunnel: ours->wg-go %.0f Mbit/s, wg-go->ours %.0f Mbit/s%n",
        up / 1e6, down / 1e6);
    assertThat(up).as("TCP ours -> wireguard-go, bit/s").isGreaterThan(10e6);
    assertThat(down).as("TCP wireguard-go -> ours, bit/s").isGreaterThan(10e6);
  }

  @Test
  void parallelCryptoBatchesInteroperateBothWays() throws Exception {
    // Two crypto workers per direction (the default on this 2-core machine is none): batches are
    // sealed and opened on three threads and must still reach wireguard-go whole and in order.
    startTheirs(upstreamWireguardGo, false);
    startOurs(true, 0, List.of("--crypto-workers", "2"));
    assertThat(Files.readString(oursLog)).contains("aead=openssl", "cryptoWorkers=2");
    awaitPing(nsOurs, THEIRS_TUN_IP);
    startIperfServer(nsTheirs, THEIRS_TUN_IP);
    double up = iperf(nsOurs, THEIRS_TUN_IP, false);
    double down = iperf(nsOurs, THEIRS_TUN_IP, true);
    assertThat(up).as("TCP ours -> wireguard-go, bit/s").isGreaterThan(10e6);
    assertThat(down).as("TCP wireguard-go -> ours, bit/s").isGreaterThan(10e6);
    assertThat(dropCount("BAD_TAG")).as("authentication failures").isZero();
    assertThat(dropCount("REPLAYED_COUNTER")).as("counters refused as replays").isZero();
  }

  @ParameterizedTest(name = "wireguard-go {0} initiates")
  @ValueSource(strings = {"upstream", "debian"})
  void wireguardGoInitiatesPingAndBulkTcpBothWays(String which) throws Exception {
    String binary = which.equals("upstream") ? upstreamWireguardGo : "/usr/bin/wireguard-go";
    assertThat(Path.of(binary))
        .as("Debian's wireguard-go (apt-get install wireguard-go)")
        .isExecutable();
    startOurs(false, 0);
    startTheirs(binary, true);
    awaitPing(nsTheirs, OURS_TUN_IP);
    assertThat(ping(nsOurs, THEIRS_TUN_IP, 5)).as("ping back from our tunnel").isEqualTo(5);
    assertThat(handshakeCount()).isGreaterThanOrEqualTo(1);

    startIperfServer(nsOurs, OURS_TUN_IP);
    double up = iperf(nsTheirs, OURS_TUN_IP, false);
    double down = iperf(nsTheirs, OURS_TUN_IP, true);
    assertThat(up).as("TCP wireguard-go -> ours, bit/s").isGreaterThan(10e6);
    assertThat(down).as("TCP ours -> wireguard-go, bit/s").isGreaterThan(10e6);
  }

  @Test
  void rekeyIsObservedWithoutLosingTheSession() throws Exception {
    startTheirs(upstreamWireguardGo, false);
    startOurs(true, 4); // REKEY_AFTER_TIME shortened to 4 s for the test
    awaitPing(nsOurs, THEIRS_TUN_IP);
    long firstTheirs = theirLatestHandshake();
    int firstCount = handshakeCount();
    // 14 s of traffic: the initiator must rekey at least twice (after 4 s of use each time).
    int received = ping(nsOurs, THEIRS_TUN_IP, 70, "-i", "0.2");
    assertThat(handshakeCount())
        .as("handshakes seen by our tunnel")
        .isGreaterThanOrEqualTo(firstCount + 2);
    assertThat(theirLatestHandshake())
        .as("wireguard-go's latest handshake moved")
        .isGreaterThan(firstTheirs);
    assertThat(received).as("pings answered across rekeys (of 70)").isGreaterThanOrEqualTo(66);
  }

  @Test
  void wireguardGoHonoursOurCookieReplyUnderLoad() throws Exception {
    // Our device is "under load" from the start: every initiation needs a valid mac2, so
    // wireguard-go's first initiation gets a cookie reply (XChaCha20-Poly1305, §5.4.7) and its
    // retransmission must carry a mac2 that our checker accepts.
    startOurs(false, 0, List.of("--under-load-threshold", "0"));
    startTheirs(upstreamWireguardGo, true);
    awaitPing(nsTheirs, OURS_TUN_IP, Duration.ofSeconds(30));
    // the runner reports counters every 200 ms
    await().atMost(Duration.ofSeconds(3)).until(() -> handshakeCount() >= 1);
    assertThat(dropCount("COOKIE_REQUIRED")).as("cookie replies sent").isGreaterThanOrEqualTo(1);
    assertThat(dropCount("BAD_MAC1")).isZero();
    assertThat(ping(nsOurs, THEIRS_TUN_IP, 3)).isEqualTo(3);
  }

  private long dropCount(String reason) throws IOException {
    Pattern p = Pattern.compile("DROPS reason=" + reason + " count=(\\d+)");
    long last = 0;
    for (String line : Files.readAllLines(oursLog)) {
      Matcher m = p.matcher(line);
      if (m.find()) {
        last = Long.parseLong(m.group(1));
      }
    }
    return last;
  }

  @Test
  void sessionSurvivesWireguardGoRestart() throws Exception {
    startTheirs(upstreamWireguardGo, false);
    startOurs(true, 0);
    awaitPing(nsOurs, THEIRS_TUN_IP);
    int before = handshakeCount();

    NetnsLab.stop(theirsProcess);
    await().atMost(Duration.ofSeconds(10)).until(() -> !linkExists(nsTheirs, theirsIf));
    startTheirs(upstreamWireguardGo, false);
    // wireguard-go lost the session: our data is dropped until our timers rehandshake
    // (KEEPALIVE_TIMEOUT + REKEY_TIMEOUT after unanswered data, §6.5).
    awaitPing(nsOurs, THEIRS_TUN_IP, Duration.ofSeconds(40));
    await().atMost(Duration.ofSeconds(3)).until(() -> handshakeCount() > before);
    assertThat(ping(nsTheirs, OURS_TUN_IP, 3)).isEqualTo(3);
  }

  @Test
  void sessionSurvivesOurRestart() throws Exception {
    startTheirs(upstreamWireguardGo, true);
    startOurs(true, 0);
    awaitPing(nsOurs, THEIRS_TUN_IP);
    long first = theirLatestHandshake();

    NetnsLab.stop(oursProcess);
    await().atMost(Duration.ofSeconds(10)).until(() -> !linkExists(nsOurs, lab.prefix + "g"));
    Files.writeString(oursLog, "--- restart ---\n", java.nio.file.StandardOpenOption.APPEND);
    startOurs(true, 0);
    // A fresh initiation with a newer TAI64N timestamp must be accepted by wireguard-go.
    awaitPing(nsOurs, THEIRS_TUN_IP, Duration.ofSeconds(20));
    awaitPing(nsTheirs, OURS_TUN_IP, Duration.ofSeconds(20));
    assertThat(theirLatestHandshake()).isGreaterThanOrEqualTo(first);
  }

  // ------------------------------------------------------------------ helpers

  private void startTheirs(String binary, boolean withEndpoint) throws Exception {
    theirsProcess = lab.start(nsTheirs, theirsLog, binary, "-f", theirsIf);
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(100))
        .until(() -> Files.exists(Path.of("/var/run/wireguard", theirsIf + ".sock")));
    Path key = lab.dir.resolve("theirs.key");
    Files.writeString(key, StaticIdentity.encodeKey(theirs.privateKey()) + "\n");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                "wg",
                "set",
                theirsIf,
                "private-key",
                key.toString(),
                "listen-port",
                Integer.toString(PORT),
                "peer",
                StaticIdentity.encodeKey(ours.publicKey()),
                "preshared-key",
                psk.toString(),
                "allowed-ips",
                OURS_TUN_IP + "/32," + OURS_TUN_IP6 + "/128"));
    if (withEndpoint) {
      cmd.addAll(List.of("endpoint", OURS_UNDERLAY + ":" + PORT));
    }
    check(NetnsLab.inNs(nsTheirs, 10, cmd.toArray(String[]::new)));
    check(
        NetnsLab.inNs(
            nsTheirs, 10, "ip", "address", "add", THEIRS_TUN_IP + "/24", "dev", theirsIf));
    check(
        NetnsLab.inNs(
            nsTheirs,
            10,
            "ip",
            "address",
            "add",
            THEIRS_TUN_IP6 + "/64",
            "dev",
            theirsIf,
            "nodad"));
    check(NetnsLab.inNs(nsTheirs, 10, "ip", "link", "set", theirsIf, "mtu", "1420", "up"));
  }

  private void startOurs(boolean withEndpoint, int rekeySeconds) throws Exception {
    startOurs(withEndpoint, rekeySeconds, List.of());
  }

  private void startOurs(boolean withEndpoint, int rekeySeconds, List<String> extraArgs)
      throws Exception {
    String conf =
        "[Interface]\n"
            + "PrivateKey = "
            + StaticIdentity.encodeKey(ours.privateKey())
            + "\n"
            + "ListenPort = "
            + PORT
            + "\n"
            + "Address = "
            + OURS_TUN_IP
            + "/24, "
            + OURS_TUN_IP6
            + "/64\n"
            + "MTU = 1420\n\n"
            + "[Peer]\n"
            + "PublicKey = "
            + StaticIdentity.encodeKey(theirs.publicKey())
            + "\n"
            + "PresharedKey = "
            + Files.readString(psk).trim()
            + "\n"
            + "AllowedIPs = "
            + THEIRS_TUN_IP
            + "/32, "
            + THEIRS_TUN_IP6
            + "/128\n"
            + (withEndpoint ? "Endpoint = " + THEIRS_UNDERLAY + ":" + PORT + "\n" : "");
    Path confFile = lab.dir.resolve("ours.conf");
    Files.writeString(confFile, conf);
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String cp =
        System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java,
                "--enable-native-access=ALL-UNNAMED",
                "-XX:+UseSerialGC",
                "-cp",
                cp,
                "dev.gatehouse.tunnel.runner.TunnelRunner",
                confFile.toString(),
                "--interface",
                lab.prefix + "g"));
    if (rekeySeconds > 0) {
      cmd.addAll(List.of("--rekey-after-seconds", Integer.toString(rekeySeconds)));
    }
    cmd.addAll(extraArgs);
    oursProcess = lab.start(nsOurs, oursLog, cmd.toArray(String[]::new));
    await()
        .atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .failFast("our tunnel exited", () -> !oursProcess.isAlive())
        .until(() -> countReady() >= restarts() + 1);
  }

  private int restarts() throws IOException {
    return (int)
        Files.readAllLines(oursLog).stream().filter(l -> l.equals("--- restart ---")).count();
  }

  private int countReady() throws IOException {
    return (int) Files.readAllLines(oursLog).stream().filter(l -> l.contains(" READY ")).count();
  }

  /** Highest handshake count our runner reported for its peer (across restarts: latest run). */
  private int handshakeCount() throws IOException {
    Pattern p = Pattern.compile("HANDSHAKE peer=\\S+ count=(\\d+)");
    int last = 0;
    for (String line : Files.readAllLines(oursLog)) {
      if (line.equals("--- restart ---")) {
        last = 0;
      }
      Matcher m = p.matcher(line);
      if (m.find()) {
        last = Integer.parseInt(m.group(1));
      }
    }
    return last;
  }

  private long theirLatestHandshake() throws IOException {
    NetnsLab.Result r = NetnsLab.inNs(nsTheirs, 10, "wg", "show", theirsIf, "latest-handshakes");
    check(r);
    String[] parts = r.output().trim().split("\\s+");
    return parts.length >= 2 ? Long.parseLong(parts[1]) : 0;
  }

  private static boolean linkExists(String ns, String ifName) throws IOException {
    return NetnsLab.run(10, "ip", "-n", ns, "link", "show", ifName).exit() == 0;
  }

  private void awaitPing(String ns, String target) {
    awaitPing(ns, target, Duration.ofSeconds(20));
  }

  private void awaitPing(String ns, String target, Duration max) {
    await()
        .atMost(max)
        .pollInterval(Duration.ofMillis(500))
        .failFast("our tunnel exited", () -> !oursProcess.isAlive())
        .until(() -> ping(ns, target, 1) == 1);
  }

  /** Sends {@code count} pings, returns how many were answered. */
  private static int ping(String ns, String target, int count, String... extra) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("ping", "-n", "-q", "-c", Integer.toString(count), "-W", "1"));
    cmd.addAll(List.of(extra));
    cmd.add(target);
    NetnsLab.Result r = NetnsLab.inNs(ns, 30 + count, cmd.toArray(String[]::new));
    Matcher m = Pattern.compile("(\\d+) (?:packets )?received").matcher(r.output());
    return m.find() ? Integer.parseInt(m.group(1)) : 0;
  }

  private void startIperfServer(String ns, String bind) throws Exception {
    lab.start(ns, lab.dir.resolve("iperf3-server.log"), "iperf3", "-s", "-B", bind, "-p", "5201");
    await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> NetnsLab.inNs(ns, 5, "ss", "-ltn").output().contains(bind + ":5201"));
  }

  /**
   * Sends {@value #BULK_BYTES} bytes over TCP with iperf3 and returns the received bits per second.
   * A fixed size, not a fixed time: a cold process on a fresh machine can stall for seconds on its
   * first transfer (paging in, JIT), which ate a whole 3-second test once, while a size-bound test
   * still has to move every byte (within the 30-second limit).
   */
  static final long BULK_BYTES = 16L << 20;

  private double iperf(String ns, String server, boolean reverse) throws IOException {
    List<String> cmd =
        new ArrayList<>(List.of("iperf3", "-c", server, "-p", "5201", "-n", "16M", "-J"));
    if (reverse) {
      cmd.add("-R");
    }
    NetnsLab.Result r = NetnsLab.inNs(ns, 30, cmd.toArray(String[]::new));
    assertThat(r.exit()).as("iperf3 output: %s", r.output()).isZero();
    JsonNode json = JSON.readTree(r.output());
    JsonNode received = json.path("end").path("sum_received");
    if (received.path("bytes").asLong()
        < BULK_BYTES / 2) { // the last in-flight bytes may miss the count
      throw new AssertionError(
          "iperf3 "
              + (reverse ? "-R " : "")
              + "received only "
              + received.path("bytes").asLong()
              + " bytes of "
              + BULK_BYTES
              + "\n"
              + iperfEvidence(json));
    }
    return received.path("bits_per_second").asDouble();
  }

  /**
   * What tells a stalled tunnel from a broken one after a bulk transfer that moved too little: the
   * client's per-second view and retransmissions, the iperf3 server's own log (did it accept the
   * data stream, which seconds were empty), our drop counters, wireguard-go's log and each
   * namespace's TCP/UDP loss counters (the namespaces are fresh per test, so absolute values).
   */
  private String iperfEvidence(JsonNode json) throws IOException {
    StringBuilder b = new StringBuilder("client intervals (start s: bytes, retransmits):");
    for (JsonNode interval : json.path("intervals")) {
      JsonNode sum = interval.path("sum");
      b.append(
          String.format(" %.1f: %d", sum.path("start").asDouble(), sum.path("bytes").asLong()));
      if (sum.has("retransmits")) {
        b.append(", ").append(sum.path("retransmits").asLong());
      }
      b.append(';');
    }
    b.append("\nclient sum_sent: ").append(json.path("end").path("sum_sent"));
    b.append("\n--- iperf3 server log ---\n").append(tail(lab.dir.resolve("iperf3-server.log")));
    b.append("\n--- our drops ---\n");
    Files.readAllLines(oursLog).stream()
        .filter(l -> l.contains("DROPS") || l.contains("failed"))
        .forEach(l -> b.append(l).append('\n'));
    b.append("--- wireguard-go log ---\n").append(tail(theirsLog));
    Pattern counters =
        Pattern.compile(
            "^(TcpRetransSegs|TcpExtTCPTimeouts|TcpExtTCPSynRetrans|TcpExtTCPLossProbes"
                + "|UdpInErrors|UdpRcvbufErrors|UdpSndbufErrors|TcpExtTCPOFODrop)\\s.*");
    for (String n : List.of(nsOurs, nsTheirs)) {
      b.append("--- nstat ").append(n).append(" ---\n");
      for (String line : NetnsLab.inNs(n, 10, "nstat", "-a").output().split("\n")) {
        if (counters.matcher(line).matches()) {
          b.append(line).append('\n');
        }
      }
    }
    return b.toString();
  }

  private static String tail(Path log) throws IOException {
    if (!Files.exists(log)) {
      return "(no " + log.getFileName() + ")\n";
    }
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size())) + "\n";
  }

  private static void check(NetnsLab.Result r) {
    assertThat(r.exit()).as("command output: %s", r.output()).isZero();
  }
}
