package dev.gatehouse.tunnel.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.net.LinuxUdpTransport;
import dev.gatehouse.tunnel.net.NettyUdpTransport;
import dev.gatehouse.tunnel.tun.ForwardingTunDevice;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Two full engines (device + transport + TUN twins) ping each other inside one JVM; the TUN twins
 * hold batched writes until flushed, as the offloading Linux device does.
 */
class TunnelEngineTest {

  static byte[] ipv4Udp(String src, String dst, int size) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(size);
    b.put((byte) 0x45).put((byte) 0).putShort((short) size).putInt(0);
    b.put((byte) 64).put((byte) 17).putShort((short) 0);
    b.put(InetAddress.getByName(src).getAddress()).put(InetAddress.getByName(dst).getAddress());
    b.putShort((short) 1234).putShort((short) 5678).putShort((short) (size - 20));
    return b.array();
  }

  interface TransportFactory {
    DatagramTransport bind(int which) throws Exception;
  }

  /** Like a TUN device with offloads: holds batched writes until flush, so a missed flush shows. */
  static final class HoldingTunDevice extends ForwardingTunDevice {
    final InMemoryTunDevice inner;
    private final List<byte[]> held = new ArrayList<>();

    HoldingTunDevice(InMemoryTunDevice inner) {
      super(inner);
      this.inner = inner;
    }

    @Override
    public synchronized void writeBatched(byte[] buf, int off, int len) {
      held.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public synchronized void flush() {
      held.forEach(p -> inner.write(p, 0, p.length));
      held.clear();
    }
  }

  /**
   * Like a TUN behind which the kernel answers at once (a ping, a TCP ACK): each flushed packet
   * queues its answer before the write returns, and every read notes the thread that made it.
   */
  static final class AnsweringTunDevice extends ForwardingTunDevice {
    final InMemoryTunDevice inner;
    final List<String> readers = new ArrayList<>();
    final AtomicInteger loopReadCalls = new AtomicInteger();
    private final List<byte[]> held = new ArrayList<>();

    private final boolean prompt;

    AnsweringTunDevice(InMemoryTunDevice inner, boolean prompt) {
      super(inner);
      this.inner = inner;
      this.prompt = prompt;
    }

    @Override
    public boolean readsPromptly() {
      return prompt;
    }

    @Override
    public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
      if (!Thread.currentThread().getName().startsWith("tun-reader-")) {
        loopReadCalls.incrementAndGet();
      }
      int n = super.read(buf, off, len, timeoutMillis);
      if (n > 0) {
        synchronized (readers) {
          readers.add(Thread.currentThread().getName());
        }
      }
      return n;
    }

    @Override
    public synchronized void writeBatched(byte[] buf, int off, int len) {
      held.add(Arrays.copyOfRange(buf, off, off + len));
    }

    @Override
    public synchronized void flush() {
      for (byte[] p : held) {
        inner.write(p, 0, p.length);
        try {
          inner.inject(ipv4Udp("10.7.0.2", "10.7.0.1", p.length));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }
      held.clear();
    }
  }

  /**
   * An answer the TUN queues while the event loop writes the request leaves from the event loop, on
   * its core, instead of waiting for the reader thread to wake (the idle-latency path); either way
   * every answer arrives. The reader may still win a race now and then (it can be between waking
   * and reading when a request comes), so the test asks for most answers, not all.
   */
  @Test
  void answersQueuedDuringTheTunWriteLeaveFromTheEventLoop() throws Exception {
    List<String> readers = answerTwentyRequests(true);
    assertThat(readers).hasSize(20);
    assertThat(readers.stream().filter(t -> !t.startsWith("tun-reader-")).count())
        .as("answers read on the event loop, of %s", readers)
        .isGreaterThanOrEqualTo(15);
  }

  /** A device that does not read promptly from any thread is read by the reader thread only. */
  @Test
  void aDeviceThatDoesNotReadPromptlyIsReadByTheReaderOnly() throws Exception {
    assertThat(answerTwentyRequests(false)).hasSize(20).allMatch(t -> t.equals("tun-reader-b"));
  }

  /**
   * A burst that writes nothing to the TUN (a handshake, a keepalive) does not make the event loop
   * look for answers there; one that does, does.
   */
  @Test
  void onlyBurstsThatReachTheTunMakeTheEventLoopReadIt() throws Exception {
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    DatagramTransport ta = net.bind(new InetSocketAddress("192.0.2.1", 51820));
    DatagramTransport tb = net.bind(new InetSocketAddress("192.0.2.2", 51820));
    WireGuardDevice[] d = peeredDevices(ta, tb);
    InMemoryTunDevice tunA = new InMemoryTunDevice("a", 1420);
    AnsweringTunDevice tunB = new AnsweringTunDevice(new InMemoryTunDevice("b", 1420), true);
    try (TunnelEngine ea = new TunnelEngine(d[0], tunA, ta, s -> {}, 0).start();
        TunnelEngine eb = new TunnelEngine(d[1], tunB, tb, s -> {}, 0).start()) {
      Peer b = d[0].peers().getFirst();
      d[0].initiateHandshake(b);
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (b.handshakesCompleted() == 0 && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(b.handshakesCompleted()).isEqualTo(1);
      Thread.sleep(300); // what A sends after the handshake (a keepalive) reaches B
      assertThat(tunB.loopReadCalls).as("B's event loop read its TUN").hasValue(0);

      byte[] request = ipv4Udp("10.7.0.1", "10.7.0.2", 100);
      tunA.inject(request);
      assertThat(tunB.inner.takeWritten(5000)).isEqualTo(request);
      assertThat(tunA.takeWritten(5000)).hasSize(100);
      assertThat(tunB.loopReadCalls.get()).isPositive();
    }
  }

  /** The names of the threads that read B's twenty answers from its TUN. */
  private static List<String> answerTwentyRequests(boolean prompt) throws Exception {
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    DatagramTransport ta = net.bind(new InetSocketAddress("192.0.2.1", 51820));
    DatagramTransport tb = net.bind(new InetSocketAddress("192.0.2.2", 51820));
    WireGuardDevice[] d = peeredDevices(ta, tb);
    WireGuardDevice da = d[0];
    WireGuardDevice db = d[1];
    InMemoryTunDevice tunA = new InMemoryTunDevice("a", 1420);
    AnsweringTunDevice tunB = new AnsweringTunDevice(new InMemoryTunDevice("b", 1420), prompt);
    try (TunnelEngine ea = new TunnelEngine(da, tunA, ta, s -> {}, 0).start();
        TunnelEngine eb = new TunnelEngine(db, tunB, tb, s -> {}, 0).start()) {
      for (int i = 0; i < 20; i++) {
        byte[] request = ipv4Udp("10.7.0.1", "10.7.0.2", 100 + i);
        tunA.inject(request);
        assertThat(tunB.inner.takeWritten(5000)).isEqualTo(request);
        assertThat(tunA.takeWritten(5000)).as("answer %d", i).hasSize(100 + i);
        Thread.sleep(5); // let the reader settle back into waiting, as between idle pings
      }
    }
    synchronized (tunB.readers) {
      return List.copyOf(tunB.readers);
    }
  }

  /** Devices A (10.7.0.1, knows B's endpoint) and B (10.7.0.2), each the other's peer. */
  private static WireGuardDevice[] peeredDevices(DatagramTransport ta, DatagramTransport tb) {
    StaticIdentity a = StaticIdentity.generate();
    StaticIdentity b = StaticIdentity.generate();
    WireGuardDevice da =
        new WireGuardDevice(a, TunnelClock.system(), WireGuardDevice.Config.defaults());
    WireGuardDevice db =
        new WireGuardDevice(b, TunnelClock.system(), WireGuardDevice.Config.defaults());
    da.addPeer(
        PeerConfig.of(b.publicKey(), List.of(IpPrefix.parse("10.7.0.2/32")))
            .withEndpoint(tb.localAddress()));
    db.addPeer(PeerConfig.of(a.publicKey(), List.of(IpPrefix.parse("10.7.0.1/32"))));
    return new WireGuardDevice[] {da, db};
  }

  private void pingBothWays(TransportFactory factory) throws Exception {
    exchange(factory, CryptoWorkers.defaultCount(), false);
  }

  /**
   * Packets from A to B and back; {@code burst} sends 300 each way in rounds of 60 injected at once
   * (so batches fill and the crypto workers share them), else one ping-pong at a time.
   */
  private void exchange(TransportFactory factory, int workers, boolean burst) throws Exception {
    DatagramTransport ta = factory.bind(0);
    DatagramTransport tb = factory.bind(1);
    WireGuardDevice[] d = peeredDevices(ta, tb);
    WireGuardDevice da = d[0];
    WireGuardDevice db = d[1];
    HoldingTunDevice holdingA = new HoldingTunDevice(new InMemoryTunDevice("a", 1420));
    HoldingTunDevice holdingB = new HoldingTunDevice(new InMemoryTunDevice("b", 1420));
    InMemoryTunDevice tunA = holdingA.inner;
    InMemoryTunDevice tunB = holdingB.inner;
    try (TunnelEngine ea = new TunnelEngine(da, holdingA, ta, s -> {}, workers).start();
        TunnelEngine eb = new TunnelEngine(db, holdingB, tb, s -> {}, workers).start()) {
      if (burst) {
        burst(ta, workers, tunA, tunB);
        return;
      }
      for (int i = 0; i < 50; i++) {
        byte[] out = ipv4Udp("10.7.0.1", "10.7.0.2", 100 + i * 20);
        tunA.inject(out);
        assertThat(tunB.takeWritten(5000)).isEqualTo(out);
        byte[] back = ipv4Udp("10.7.0.2", "10.7.0.1", 1400 - i);
        tunB.inject(back);
        assertThat(tunA.takeWritten(5000)).isEqualTo(back);
      }
      assertThat(da.peers().get(0).handshakesCompleted()).isEqualTo(1);
    }
  }

  private static void burst(
      DatagramTransport ta, int workers, InMemoryTunDevice tunA, InMemoryTunDevice tunB)
      throws Exception {
    // Handshake first, so that no packet waits staged (staging keeps only a few).
    tunA.inject(ipv4Udp("10.7.0.1", "10.7.0.2", 60));
    assertThat(tunB.takeWritten(5000)).hasSize(60);
    List<byte[]> there = new ArrayList<>();
    List<byte[]> back = new ArrayList<>();
    for (int i = 0; i < 300; i++) {
      there.add(ipv4Udp("10.7.0.1", "10.7.0.2", 28 + (i * 37) % 1392));
      back.add(ipv4Udp("10.7.0.2", "10.7.0.1", 1420 - (i * 53) % 1392));
    }
    // Rounds of 60 each way: enough to fill batches, few enough for a loopback socket's default
    // receive buffer (no packet may be lost or reordered here).
    String transport = ta.getClass().getSimpleName();
    for (int round = 0; round < 300; round += 60) {
      for (int i = round; i < round + 60; i++) {
        tunA.inject(there.get(i));
        tunB.inject(back.get(i));
      }
      for (int i = round; i < round + 60; i++) {
        assertThat(tunB.takeWritten(5000))
            .as("%s, %d workers, packet %d A to B", transport, workers, i)
            .isEqualTo(there.get(i));
        assertThat(tunA.takeWritten(5000))
            .as("%s, %d workers, packet %d B to A", transport, workers, i)
            .isEqualTo(back.get(i));
      }
    }
  }

  @Test
  void overInMemoryTransport() throws Exception {
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    pingBothWays(i -> net.bind(new InetSocketAddress("192.0.2." + (i + 1), 51820)));
  }

  @Test
  void overNettyUdpOnLoopback() throws Exception {
    pingBothWays(i -> NettyUdpTransport.bind(new InetSocketAddress("127.0.0.1", 0)));
  }

  @Test
  void overLinuxUdpOnLoopback() throws Exception {
    pingBothWays(i -> LinuxUdpTransport.bind(new InetSocketAddress("127.0.0.1", 0)));
  }

  @Test
  void burstsArriveWholeAndInOrderWithParallelCrypto() throws Exception {
    for (int workers : new int[] {0, 1, 3}) {
      InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
      exchange(i -> net.bind(new InetSocketAddress("192.0.2." + (i + 1), 51820)), workers, true);
      exchange(i -> NettyUdpTransport.bind(new InetSocketAddress("127.0.0.1", 0)), workers, true);
      exchange(i -> LinuxUdpTransport.bind(new InetSocketAddress("127.0.0.1", 0)), workers, true);
    }
  }
}
