package dev.gatehouse.relay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.NettyUdpTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two tunnel sockets that reach each other only through a real relay on loopback, as a client and a
 * gateway do: each allocates, one routes to the other's relayed address, the other answers on the
 * path the data came from; a direct probe is answered; after the relay restarts on its port, both
 * allocate again by themselves and the relayed path carries data again.
 */
class RelayedTransportIT {
  private static final String SECRET = "paths-secret";

  private RelayServer relay;
  private final Side a = new Side("a");
  private final Side b = new Side("b");

  /** One socket, what arrived on it and what its listener heard. */
  static final class Side implements RelayedTransport.Listener {
    final String name;
    final BlockingQueue<String> received = new LinkedBlockingQueue<>();
    final List<InetSocketAddress> relayed = new CopyOnWriteArrayList<>();
    final List<InetSocketAddress> reachable = new CopyOnWriteArrayList<>();
    final List<String> lost = new CopyOnWriteArrayList<>();
    final AtomicLong genuine = new AtomicLong(); // what the tunnel would authenticate
    RelayedTransport transport;

    Side(String name) {
      this.name = name;
    }

    void start(InetSocketAddress relayAt) throws InterruptedException {
      transport =
          new RelayedTransport(
              NettyUdpTransport.bind(new InetSocketAddress(LoopbackRelay.LOOPBACK, 0), false),
              this,
              new Random());
      transport.start(
          new DatagramTransport.Receiver() {
            @Override
            public void onDatagram(ByteBuffer d, InetSocketAddress sender) {
              byte[] bytes = new byte[d.remaining()];
              d.get(bytes);
              String text = new String(bytes, StandardCharsets.UTF_8);
              if (text.startsWith("genuine")) {
                genuine.incrementAndGet();
              }
              received.add(text + " from " + sender);
            }
          });
      transport.authenticatedBy(genuine::get);
      RelayCredentials.Minted m =
          RelayCredentials.mint(SECRET, Instant.now().plusSeconds(600), name);
      transport.setServers(
          List.of(new RelayedTransport.Server("r1", relayAt, m.username(), m.password())));
    }

    InetSocketAddress lastRelayed() {
      return relayed.getLast();
    }

    void send(String text, InetSocketAddress to) {
      transport.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
      transport.flush();
    }

    String next() throws InterruptedException {
      return received.poll(5, TimeUnit.SECONDS);
    }

    @Override
    public void allocated(String relayId, InetSocketAddress r, InetSocketAddress mapped) {
      relayed.add(r);
    }

    @Override
    public void lost(String relayId, String reason) {
      lost.add(reason);
    }

    @Override
    public void reachable(InetSocketAddress target) {
      reachable.add(target);
    }
  }

  @BeforeEach
  void start() throws Exception {
    relay = LoopbackRelay.start(SECRET, new RelayMetrics(), c -> c);
    a.start(relay.listenAddress());
    b.start(relay.listenAddress());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> !a.relayed.isEmpty() && !b.relayed.isEmpty());
  }

  @AfterEach
  void stop() {
    for (Side s : List.of(a, b)) {
      if (s.transport != null) {
        s.transport.close();
      }
    }
    relay.close();
  }

  @Test
  void peersReachEachOtherRelayToRelayAndAnswerOnThePathTheDataCameFrom() throws Exception {
    assertThat(a.transport.route(b.lastRelayed())).isTrue();
    a.send("hello", b.lastRelayed());
    assertThat(b.next()).isEqualTo("hello from " + a.lastRelayed());
    assertThat(b.transport.isRelayed(a.lastRelayed())).isTrue();

    b.send("back", a.lastRelayed());
    assertThat(a.next()).isEqualTo("back from " + b.lastRelayed());
    // the second datagram goes over the channel bound by the first
    a.send("again", b.lastRelayed());
    assertThat(b.next()).isEqualTo("again from " + a.lastRelayed());
    assertThat(a.transport.relayedBytesOut()).isEqualTo("helloagain".length());
    assertThat(a.transport.relayedBytesIn()).isEqualTo("back".length());
  }

  @Test
  void aDirectProbeIsAnsweredAndNotDeliveredToTheTunnel() throws Exception {
    a.transport.probe(b.transport.localAddress());
    await().atMost(Duration.ofSeconds(5)).until(() -> !a.reachable.isEmpty());
    assertThat(a.reachable).containsExactly(b.transport.localAddress());
    assertThat(a.received).isEmpty();
    assertThat(b.received).isEmpty();

    // plain datagrams still pass straight through
    a.send("direct", b.transport.localAddress());
    assertThat(b.next()).isEqualTo("direct from " + a.transport.localAddress());
  }

  @Test
  void aPeerOnTheRelayIsAnsweredDirectlyOnlyAfterAGenuineDirectDatagram() throws Exception {
    // c is a peer behind no relay of its own: it sends raw UDP to b's relayed address, as a client
    // does when it sends straight to a gateway's allocation.
    NettyUdpTransport c =
        NettyUdpTransport.bind(new InetSocketAddress(LoopbackRelay.LOOPBACK, 0), false);
    BlockingQueue<String> atC = new LinkedBlockingQueue<>();
    c.start(
        (d, from) -> {
          byte[] bytes = new byte[d.remaining()];
          d.get(bytes);
          atC.add(new String(bytes, StandardCharsets.UTF_8) + " from " + from);
        });
    try {
      InetSocketAddress cAt = c.localAddress();
      sendRaw(c, "via relay", b.lastRelayed());
      assertThat(b.next()).isEqualTo("via relay from " + cAt);
      assertThat(b.transport.isRelayed(cAt)).isTrue();

      sendRaw(c, "forged", b.transport.localAddress());
      assertThat(b.next()).as("still handed to the tunnel").isEqualTo("forged from " + cAt);
      assertThat(b.transport.isRelayed(cAt)).as("a datagram the tunnel refused").isTrue();
      b.send("answer", cAt);
      assertThat(atC.poll(5, TimeUnit.SECONDS)).isEqualTo("answer from " + b.lastRelayed());

      sendRaw(c, "genuine", b.transport.localAddress());
      assertThat(b.next()).isEqualTo("genuine from " + cAt);
      // the route goes just after the tunnel's receiver returns, on the transport's thread
      await().atMost(Duration.ofSeconds(5)).until(() -> !b.transport.isRelayed(cAt));
      b.send("direct answer", cAt);
      assertThat(atC.poll(5, TimeUnit.SECONDS))
          .isEqualTo("direct answer from " + b.transport.localAddress());
    } finally {
      c.close();
    }
  }

  private static void sendRaw(NettyUdpTransport from, String text, InetSocketAddress to) {
    from.send(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)), to);
    from.flush();
  }

  @Test
  void afterTheRelayRestartsBothSidesAllocateAgainAndTheRelayedPathWorks() throws Exception {
    int port = relay.listenAddress().getPort();
    relay.close();
    relay = LoopbackRelay.start(SECRET, new RelayMetrics(), c -> c, port);

    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> a.relayed.size() >= 2 && b.relayed.size() >= 2);
    assertThat(a.lost).isNotEmpty();
    assertThat(a.transport.allocationsMade()).isEqualTo(2);

    assertThat(a.transport.route(b.lastRelayed())).isTrue();
    a.send("after restart", b.lastRelayed());
    assertThat(b.next()).isEqualTo("after restart from " + a.lastRelayed());
  }
}
