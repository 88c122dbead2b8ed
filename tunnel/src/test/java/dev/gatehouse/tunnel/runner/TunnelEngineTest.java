package dev.gatehouse.tunnel.runner;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.net.NettyUdpTransport;
import dev.gatehouse.tunnel.tun.ForwardingTunDevice;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  private void pingBothWays(TransportFactory factory) throws Exception {
    StaticIdentity a = StaticIdentity.generate();
    StaticIdentity b = StaticIdentity.generate();
    DatagramTransport ta = factory.bind(0);
    DatagramTransport tb = factory.bind(1);
    WireGuardDevice da =
        new WireGuardDevice(a, TunnelClock.system(), WireGuardDevice.Config.defaults());
    WireGuardDevice db =
        new WireGuardDevice(b, TunnelClock.system(), WireGuardDevice.Config.defaults());
    da.addPeer(
        PeerConfig.of(b.publicKey(), List.of(IpPrefix.parse("10.7.0.2/32")))
            .withEndpoint(tb.localAddress()));
    db.addPeer(PeerConfig.of(a.publicKey(), List.of(IpPrefix.parse("10.7.0.1/32"))));
    HoldingTunDevice holdingA = new HoldingTunDevice(new InMemoryTunDevice("a", 1420));
    HoldingTunDevice holdingB = new HoldingTunDevice(new InMemoryTunDevice("b", 1420));
    InMemoryTunDevice tunA = holdingA.inner;
    InMemoryTunDevice tunB = holdingB.inner;
    try (TunnelEngine ea = new TunnelEngine(da, holdingA, ta, s -> {}).start();
        TunnelEngine eb = new TunnelEngine(db, holdingB, tb, s -> {}).start()) {
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

  @Test
  void overInMemoryTransport() throws Exception {
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    pingBothWays(i -> net.bind(new InetSocketAddress("192.0.2." + (i + 1), 51820)));
  }

  @Test
  void overNettyUdpOnLoopback() throws Exception {
    pingBothWays(i -> NettyUdpTransport.bind(new InetSocketAddress("127.0.0.1", 0)));
  }
}
