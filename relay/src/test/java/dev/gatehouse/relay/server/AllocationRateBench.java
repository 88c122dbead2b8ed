package dev.gatehouse.relay.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.client.TurnClient;
import dev.gatehouse.relay.turn.RelayMetrics;
import java.lang.management.ManagementFactory;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Allocations per second: rounds of {@value #PER_ROUND} sockets, each with credentials of its own
 * (as every client and gateway has), allocate on a relay on loopback through {@link TurnClient}
 * (Allocate, 401 challenge, authenticated Allocate), all requests of a round in flight at once;
 * then every allocation is released. Client and relay share this JVM and the machine's cores, so
 * the figure is a floor. Not a test: run by {@code relay/scripts/relaybench.sh}, which prints it.
 */
class AllocationRateBench {
  static final int PER_ROUND = 250;
  static final int ROUNDS = 8;
  static final int WARMUP_ROUNDS = 2; // JIT: the first rounds are slower and not counted

  @Test
  void allocationsPerSecond() throws Exception {
    RelayMetrics metrics = new RelayMetrics();
    RelayServer relay = LoopbackRelay.start("bench-secret", metrics, c -> c);
    InetSocketAddress at = relay.listenAddress();
    Random random = new Random(7);
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    long nanos = 0;
    long cpu = 0;
    int made = 0;
    // Kept open to the end: a port reused by the next round would get this round's late answers.
    List<DatagramSocket> all = new ArrayList<>();
    try {
      for (int round = 0; round < WARMUP_ROUNDS + ROUNDS; round++) {
        List<DatagramSocket> sockets = new ArrayList<>();
        List<TurnClient> clients = new ArrayList<>();
        for (int i = 0; i < PER_ROUND; i++) {
          DatagramSocket s = new DatagramSocket(new InetSocketAddress(LoopbackRelay.LOOPBACK, 0));
          s.setSoTimeout(5000);
          sockets.add(s);
          all.add(s);
          RelayCredentials.Minted m =
              RelayCredentials.mint(
                  "bench-secret", Instant.now().plusSeconds(600), "b" + round + "-" + i);
          clients.add(new TurnClient(m.username(), m.password(), random));
        }
        long cpu0 = os.getProcessCpuTime();
        long start = System.nanoTime();
        for (int i = 0; i < PER_ROUND; i++) {
          send(sockets.get(i), clients.get(i).allocate(System.nanoTime()), at);
        }
        for (int step = 0; step < 2; step++) { // the 401, then the success
          for (int i = 0; i < PER_ROUND; i++) {
            byte[] buf = new byte[1500];
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            sockets.get(i).receive(p);
            TurnClient.Output out =
                clients.get(i).onDatagram(buf, 0, p.getLength(), System.nanoTime());
            for (byte[] again : out.toRelay()) {
              send(sockets.get(i), again, at);
            }
            for (TurnClient.Event e : out.events()) {
              if (e instanceof TurnClient.Event.Allocated) {
                made++;
              } else {
                throw new AssertionError("allocation " + round + "/" + i + ": " + e);
              }
            }
          }
        }
        assertThat(made).as("allocations after round " + round).isEqualTo((round + 1) * PER_ROUND);
        if (round >= WARMUP_ROUNDS) {
          nanos += System.nanoTime() - start;
          cpu += os.getProcessCpuTime() - cpu0;
        }
        for (int i = 0; i < PER_ROUND; i++) {
          send(sockets.get(i), clients.get(i).release(System.nanoTime()), at);
        }
      }
    } finally {
      all.forEach(DatagramSocket::close);
      relay.close();
    }
    made -= WARMUP_ROUNDS * PER_ROUND;
    System.out.printf(
        "RESULT allocations: %d in %.2f s = %.0f allocations/s (%d in flight at a time);"
            + " CPU of client and relay together: %.0f µs per allocation%n",
        made, nanos / 1e9, made / (nanos / 1e9), PER_ROUND, cpu / 1e3 / made);
  }

  private static void send(DatagramSocket s, byte[] wire, InetSocketAddress to) throws Exception {
    s.send(new DatagramPacket(wire, wire.length, to));
  }
}
