package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.netns.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * What the FFM socket does when the kernel pushes back, on a real kernel: {@link UdpSendProbe} runs
 * inside a namespace whose loopback is either slowed by a token-bucket qdisc (so the socket's send
 * buffer fills and {@code sendmsg} says EAGAIN) or given an MTU below the datagrams' size (so the
 * kernel refuses a UDP GSO batch with EMSGSIZE, as on a narrow path). Needs root and iproute2's
 * {@code ip} and {@code tc}.
 */
class LinuxUdpTransportNetnsIT {
  private static final Pattern RESULT = Pattern.compile("RESULT (.*)");
  private static final int SIZE = 1200;

  private NetnsLab lab;
  private String ns;

  @BeforeAll
  static void prerequisites() {
    NetnsLab.requirePrerequisites(
        "FFM UDP socket netns IT", "apt-get install -y iproute2", "ip", "tc");
  }

  @BeforeEach
  void setUp() throws IOException {
    lab = new NetnsLab("ghu", "gatehouse-udp-it");
    ns = lab.namespace("a");
  }

  @AfterEach
  void tearDown() {
    lab.close();
    lab.deleteDir();
  }

  @Test
  void sendsThatMeetAFullSocketBufferQueueAndAllArriveInOrder() throws Exception {
    slowLoopback();
    // 14.4 MB at 40 Mbit/s: more than the socket's buffer takes (~9.5 MB measured here: 7 MiB
    // forced, doubled by the kernel, less its overhead), less than that plus the 8 MiB queue
    Map<String, String> r = probe(12_000, 30);
    assertThat(r).containsEntry("received", "12000").containsEntry("inOrder", "true");
    assertThat(r).containsEntry("droppedSends", "0").containsEntry("gso", "true");
    assertThat(Long.parseLong(r.get("queued"))).isPositive();
  }

  @Test
  void sendsBeyondTheQueueAreDroppedAndCountedAndTheRestArriveInOrder() throws Exception {
    slowLoopback();
    Map<String, String> r = probe(30_000, 30);
    long received = Long.parseLong(r.get("received"));
    long dropped = Long.parseLong(r.get("droppedSends"));
    assertThat(dropped).isPositive();
    assertThat(received + dropped).isEqualTo(30_000);
    assertThat(r).containsEntry("inOrder", "true");
  }

  @Test
  void aPathTooNarrowForTheBatchesTurnsGsoOffAndLosesNothing() throws Exception {
    NetnsLab.sh("ip", "-n", ns, "link", "set", "lo", "mtu", "1000");
    Map<String, String> r = probe(3_000, 20);
    assertThat(r).containsEntry("gso", "false").containsEntry("received", "3000");
    assertThat(r).containsEntry("droppedSends", "0").containsEntry("inOrder", "true");
  }

  @Test
  void batchesQueuedWhenThePathNarrowsAreResentAsSingleDatagramsInOrder() throws Exception {
    slowLoopback();
    Map<String, String> r = probe(12_000, 30, "narrowAfterSending");
    assertThat(Long.parseLong(r.get("queued"))).isPositive();
    assertThat(r).containsEntry("gso", "false").containsEntry("received", "12000");
    assertThat(r).containsEntry("droppedSends", "0").containsEntry("inOrder", "true");
  }

  private void slowLoopback() throws IOException {
    NetnsLab.sh(
        "tc", "-n", ns, "qdisc", "add", "dev", "lo", "root", "tbf", "rate", "40mbit", "burst",
        "64kb", "limit", "64mb");
  }

  /** Runs the probe in the namespace and returns its RESULT line's fields. */
  private Map<String, String> probe(int count, int waitSeconds, String... more) throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--enable-native-access=ALL-UNNAMED",
                "-cp",
                System.getProperty("java.class.path"),
                UdpSendProbe.class.getName(),
                String.valueOf(count),
                String.valueOf(SIZE),
                String.valueOf(waitSeconds)));
    cmd.addAll(List.of(more));
    NetnsLab.Result r = NetnsLab.inNs(ns, waitSeconds + 30, cmd.toArray(String[]::new));
    Matcher m = RESULT.matcher(r.output());
    assertThat(m.find()).as("probe exited %d: %s", r.exit(), r.output()).isTrue();
    Files.writeString(lab.dir.resolve("probe.out"), r.output());
    Map<String, String> fields = new HashMap<>();
    for (String kv : m.group(1).trim().split(" ")) {
      String[] p = kv.split("=", 2);
      fields.put(p[0], p[1]);
    }
    System.out.println("probe " + count + " x " + SIZE + " B: " + m.group(1).trim());
    return fields;
  }
}
