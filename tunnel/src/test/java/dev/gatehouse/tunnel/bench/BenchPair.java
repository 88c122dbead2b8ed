package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.TunnelResult;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;

/** Two devices wired by hand for benchmarks, on a clock that only moves when told. */
final class BenchPair {
  static final InetSocketAddress A = new InetSocketAddress("192.0.2.1", 51820);
  static final InetSocketAddress B = new InetSocketAddress("192.0.2.2", 51820);

  static final class ManualClock implements TunnelClock {
    long nanos = 1_000_000_000_000L;

    @Override
    public long monotonicNanos() {
      return nanos;
    }

    @Override
    public long epochNanos() {
      return 1_780_000_000_000_000_000L + nanos;
    }
  }

  final ManualClock clock = new ManualClock();
  final WireGuardDevice a;
  final WireGuardDevice b;
  final ByteBuffer out = ByteBuffer.allocate(65536);
  final ByteBuffer out2 = ByteBuffer.allocate(65536);

  BenchPair() {
    this("10.0.0.2/32", "10.0.0.1/32");
  }

  /** A routes {@code toB} to B; B accepts sources in {@code fromA} from A. */
  BenchPair(String toB, String fromA) {
    StaticIdentity ia = StaticIdentity.generate();
    StaticIdentity ib = StaticIdentity.generate();
    a = new WireGuardDevice(ia, clock, WireGuardDevice.Config.defaults());
    b = new WireGuardDevice(ib, clock, WireGuardDevice.Config.defaults());
    a.addPeer(PeerConfig.of(ib.publicKey(), List.of(IpPrefix.parse(toB))).withEndpoint(B));
    b.addPeer(PeerConfig.of(ia.publicKey(), List.of(IpPrefix.parse(fromA))));
  }

  static byte[] packet(int size) {
    ByteBuffer p = ByteBuffer.allocate(size);
    p.put((byte) 0x45).put((byte) 0).putShort((short) size).putInt(0);
    p.put((byte) 64).put((byte) 17).putShort((short) 0);
    p.put(new byte[] {10, 0, 0, 1}).put(new byte[] {10, 0, 0, 2});
    return p.array();
  }

  /** Runs one complete handshake (A initiates) plus the packet that triggered it. */
  void handshake(byte[] trigger) {
    expect(a.encapsulate(ByteBuffer.wrap(trigger), out), TunnelResult.Done.class);
    expect(a.poll(out), TunnelResult.WriteToNetwork.class); // initiation
    expect(b.decapsulate(out, A, out2), TunnelResult.WriteToNetwork.class); // response
    expect(a.decapsulate(out2, B, out), TunnelResult.Done.class);
    expect(a.poll(out), TunnelResult.WriteToNetwork.class); // the staged packet
    expect(b.decapsulate(out, A, out2), TunnelResult.WriteToTunnel.class); // confirms at B
    expect(a.poll(out), TunnelResult.Done.class);
    expect(b.poll(out2), TunnelResult.Done.class);
  }

  static void expect(TunnelResult r, Class<?> type) {
    if (!type.isInstance(r)) {
      throw new IllegalStateException("expected " + type.getSimpleName() + ", got " + r);
    }
  }
}
