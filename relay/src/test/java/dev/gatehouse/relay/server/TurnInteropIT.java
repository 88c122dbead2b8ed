package dev.gatehouse.relay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.turn.DropReason;
import dev.gatehouse.relay.turn.RelayMetrics;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Interop with coturn's stock test client: {@code turnutils_uclient} allocates on the relay with
 * credentials from {@link RelayCredentials#mint}, binds channels or uses Send indications, and
 * bounces datagrams off {@code turnutils_peer}, an echo server on a loopback port. The relay runs
 * in-process on 127.0.0.1 with kernel-chosen ports.
 *
 * <p>Needs Debian's {@code coturn} package; without it the test fails (never skips).
 */
class TurnInteropIT {
  private static final String SECRET = "interop-secret";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final int MESSAGES = 20;
  private static final int LENGTH = 120;
  private static final Pattern SENT_RECEIVED =
      Pattern.compile("start_mclient: tot_send_msgs=(\\d+), tot_recv_msgs=(\\d+)");
  private static final Pattern RECEIVED_BYTES = Pattern.compile("tot_recv_bytes ~ (\\d+)\\n");
  private static final Pattern LOST = Pattern.compile("Total lost packets (\\d+)");

  private final RelayMetrics metrics = new RelayMetrics();
  private final List<Process> processes = new ArrayList<>();
  private RelayServer server;
  private int peerPort;

  @BeforeEach
  void peer() throws Exception {
    String peer = binary("turnutils_peer");
    binary("turnutils_uclient");
    peerPort = freeUdpPort();
    processes.add(
        new ProcessBuilder(peer, "-L", "127.0.0.1", "-p", Integer.toString(peerPort))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start());
    awaitEcho(peerPort);
  }

  @AfterEach
  void stop() throws Exception {
    for (Process p : processes) {
      p.destroy();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    if (server != null) {
      server.close();
    }
  }

  private void startRelay(boolean legacyChannels) throws Exception {
    server = LoopbackRelay.start(SECRET, metrics, c -> c.withLegacyChannelRange(legacyChannels));
  }

  /**
   * Channels: coturn's client picks channel numbers in RFC 5766's 0x4000..0x7FFF, so this relay
   * runs with the legacy range (RFC 8656 narrowed it to 0x4FFF).
   */
  @Test
  void uclientRelaysThroughChannels() throws Exception {
    startRelay(true);
    RelayCredentials.Minted c =
        RelayCredentials.mint(SECRET, Instant.now().plusSeconds(600), "uclient-channels");
    Run run = uclient(c.username(), c.password());
    assertRelayedEverything(run);
    assertThat(metrics.dropped(DropReason.UNAUTHENTICATED)).isPositive(); // the 401 round
  }

  /** Send and Data indications, against the strict RFC 8656 relay. */
  @Test
  void uclientRelaysThroughSendAndDataIndications() throws Exception {
    startRelay(false);
    RelayCredentials.Minted c =
        RelayCredentials.mint(SECRET, Instant.now().plusSeconds(600), "uclient-send");
    Run run = uclient(c.username(), c.password(), "-s");
    assertRelayedEverything(run);
  }

  @Test
  void uclientWithAWrongPasswordCannotAllocate() throws Exception {
    startRelay(false);
    RelayCredentials.Minted c =
        RelayCredentials.mint(SECRET + "-other", Instant.now().plusSeconds(600), "uclient-bad");
    Run run = uclient(c.username(), c.password());
    assertThat(run.exitCode).as(run.output).isNotZero();
    assertThat(run.output).contains("Cannot complete Allocation");
    assertThat(metrics.allocationsTotal()).isZero();
    assertThat(metrics.dropped(DropReason.BAD_CREDENTIALS)).isPositive();
  }

  private void assertRelayedEverything(Run run) {
    assertThat(run.exitCode).as(run.output).isZero();
    Matcher m = SENT_RECEIVED.matcher(run.output);
    assertThat(m.find()).as(run.output).isTrue();
    assertThat(m.group(1)).as("sent").isEqualTo(Integer.toString(MESSAGES));
    assertThat(m.group(2)).as("received").isEqualTo(Integer.toString(MESSAGES));
    Matcher received = RECEIVED_BYTES.matcher(run.output);
    String total = null;
    while (received.find()) {
      total = received.group(1); // the last line is the total
    }
    assertThat(total).as("tot_recv_bytes").isEqualTo(Integer.toString(MESSAGES * LENGTH));
    Matcher lost = LOST.matcher(run.output);
    assertThat(lost.find()).as(run.output).isTrue();
    assertThat(lost.group(1)).isEqualTo("0");
    // uclient's probe allocation plus the real one
    assertThat(metrics.allocationsTotal()).isGreaterThanOrEqualTo(1);
    long payload = (long) MESSAGES * LENGTH;
    assertThat(metrics.bytesRelayed(RelayMetrics.Direction.CLIENT_TO_PEER))
        .isGreaterThanOrEqualTo(payload);
    assertThat(metrics.bytesRelayed(RelayMetrics.Direction.PEER_TO_CLIENT))
        .isGreaterThanOrEqualTo(payload);
  }

  private record Run(int exitCode, String output) {}

  private Run uclient(String username, String password, String... flags) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary("turnutils_uclient"));
    cmd.addAll(List.of(flags));
    cmd.addAll(
        List.of(
            "-c", // no RTCP allocation pair (it would need EVEN-PORT reservations)
            "-n",
            Integer.toString(MESSAGES),
            "-l",
            Integer.toString(LENGTH),
            "-u",
            username,
            "-w",
            password,
            "-e",
            "127.0.0.1",
            "-r",
            Integer.toString(peerPort),
            "-p",
            Integer.toString(server.listenAddress().getPort()),
            "127.0.0.1"));
    Path log = Files.createTempFile("uclient", ".log");
    try {
      Process p =
          new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      processes.add(p);
      if (!p.waitFor(90, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("turnutils_uclient did not finish in 90 s:\n" + Files.readString(log));
      }
      String output = Files.readString(log);
      System.out.println("---- " + String.join(" ", cmd) + "\n" + tail(output));
      return new Run(p.exitValue(), output);
    } finally {
      Files.deleteIfExists(log);
    }
  }

  private static String tail(String output) {
    String[] lines = output.split("\n");
    return String.join("\n", List.of(lines).subList(Math.max(0, lines.length - 8), lines.length));
  }

  /** The path of a coturn utility; fails (never skips) when the package is missing. */
  private static String binary(String name) {
    for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(":")) {
      Path p = Path.of(dir, name);
      if (Files.isExecutable(p)) {
        return p.toString();
      }
    }
    fail(
        name
            + " is not installed: this interop test needs coturn's client tools. Install them with"
            + " `apt-get install -y --no-install-recommends coturn`.");
    return null;
  }

  /** A UDP port on 127.0.0.1 that the kernel just handed out and released. */
  private static int freeUdpPort() throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      return s.getLocalPort();
    }
  }

  /** Waits until turnutils_peer echoes a datagram. */
  private static void awaitEcho(int port) throws IOException {
    try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0))) {
      s.setSoTimeout(200);
      byte[] ping = "ping".getBytes(StandardCharsets.US_ASCII);
      await()
          .atMost(Duration.ofSeconds(10))
          .until(
              () -> {
                s.send(new DatagramPacket(ping, ping.length, LOOPBACK, port));
                try {
                  s.receive(new DatagramPacket(new byte[64], 64));
                  return true;
                } catch (SocketTimeoutException e) {
                  return false;
                }
              });
    }
  }
}
