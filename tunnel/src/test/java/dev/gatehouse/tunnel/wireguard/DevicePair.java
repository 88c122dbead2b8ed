package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Two devices in one JVM, A (10.0.0.1) and B (10.0.0.2), wired back to back by a lossless in-memory
 * "network" that a test can inspect and tamper with.
 */
final class DevicePair {
  static final InetSocketAddress A_ADDR = new InetSocketAddress("192.0.2.1", 51820);
  static final InetSocketAddress B_ADDR = new InetSocketAddress("192.0.2.2", 51820);
  static final int[] A_IP = {10, 0, 0, 1};
  static final int[] B_IP = {10, 0, 0, 2};

  final FakeClock clock = new FakeClock();
  final StaticIdentity aId = StaticIdentity.generate();
  final StaticIdentity bId = StaticIdentity.generate();
  final WireGuardDevice a;
  final WireGuardDevice b;
  final Peer bAtA;
  final Peer aAtB;
  final ByteBuffer out = ByteBuffer.allocate(2048);

  /** Datagrams produced and not yet delivered: {from device, bytes}. */
  final List<byte[]> toB = new ArrayList<>();

  final List<byte[]> toA = new ArrayList<>();

  /** Plain packets that came out of the tunnel. */
  final List<byte[]> tunA = new ArrayList<>();

  final List<byte[]> tunB = new ArrayList<>();

  DevicePair() {
    this(WireGuardDevice.Config.defaults(), null);
  }

  DevicePair(WireGuardDevice.Config config, byte[] psk) {
    WireGuardDevice.Config seeded =
        new WireGuardDevice.Config(
            config.timers(), config.underLoadHandshakesPerSecond(), new Random(42));
    a = new WireGuardDevice(aId, clock, seeded);
    b = new WireGuardDevice(bId, clock, seeded);
    bAtA =
        a.addPeer(
            PeerConfig.of(bId.publicKey(), List.of(IpPrefix.parse("10.0.0.2/32")))
                .withEndpoint(B_ADDR)
                .withPresharedKey(psk));
    aAtB =
        b.addPeer(
            PeerConfig.of(aId.publicKey(), List.of(IpPrefix.parse("10.0.0.1/32")))
                .withPresharedKey(psk));
  }

  /** A sends an IP packet to B; results go to the in-flight lists. */
  TunnelResult aSends(byte[] ip) {
    TunnelResult r = a.encapsulate(ByteBuffer.wrap(ip), out);
    collect(r, toB, tunA);
    drain(a, toB, tunA);
    return r;
  }

  TunnelResult bSends(byte[] ip) {
    TunnelResult r = b.encapsulate(ByteBuffer.wrap(ip), out);
    collect(r, toA, tunB);
    drain(b, toA, tunB);
    return r;
  }

  void drain(WireGuardDevice d, List<byte[]> net, List<byte[]> tun) {
    for (int i = 0; i < 1000; i++) {
      TunnelResult r = d.poll(out);
      if (r instanceof TunnelResult.Done) {
        return;
      }
      collect(r, net, tun);
    }
    throw new AssertionError("poll did not finish");
  }

  private void collect(TunnelResult r, List<byte[]> net, List<byte[]> tun) {
    switch (r) {
      case TunnelResult.WriteToNetwork w -> net.add(bytes());
      case TunnelResult.WriteToTunnel t -> tun.add(bytes());
      case TunnelResult.Done d -> {}
      case TunnelResult.Dropped d -> {}
    }
  }

  private byte[] bytes() {
    byte[] x = new byte[out.remaining()];
    out.get(out.position(), x);
    return x;
  }

  /** Delivers everything in flight both ways until quiet; returns the number delivered. */
  int pump() {
    int n = 0;
    for (int round = 0; round < 100 && (!toA.isEmpty() || !toB.isEmpty()); round++) {
      List<byte[]> forB = new ArrayList<>(toB);
      toB.clear();
      for (byte[] d : forB) {
        deliverToB(d);
        n++;
      }
      List<byte[]> forA = new ArrayList<>(toA);
      toA.clear();
      for (byte[] d : forA) {
        deliverToA(d);
        n++;
      }
    }
    return n;
  }

  /**
   * Deliver datagrams as {@code LinuxUdpTransport} does to the engine: where they lie in a native
   * receive buffer, at an odd offset, instead of in a heap buffer.
   */
  boolean viaNativeMemory;

  private final MemorySegment receiveBuffer = Arena.ofAuto().allocate(65536);

  private TunnelResult decapsulate(WireGuardDevice d, byte[] datagram, InetSocketAddress from) {
    if (!viaNativeMemory) {
      return d.decapsulate(ByteBuffer.wrap(datagram), from, out);
    }
    long at = 1 + datagram.length % 61;
    MemorySegment.copy(datagram, 0, receiveBuffer, ValueLayout.JAVA_BYTE, at, datagram.length);
    return d.decapsulate(receiveBuffer, at, datagram.length, from, out);
  }

  TunnelResult deliverToB(byte[] d) {
    TunnelResult r = decapsulate(b, d, A_ADDR);
    collect(r, toA, tunB);
    drain(b, toA, tunB);
    return r;
  }

  TunnelResult deliverToA(byte[] d) {
    TunnelResult r = decapsulate(a, d, B_ADDR);
    collect(r, toB, tunA);
    drain(a, toB, tunA);
    return r;
  }

  void tick() {
    a.updateTimers();
    drain(a, toB, tunA);
    b.updateTimers();
    drain(b, toA, tunB);
  }

  /** Establishes a session with A as initiator and checks a packet gets through. */
  void handshake() {
    aSends(Packets.ipv4Udp(A_IP, B_IP, 1000, 2000, 10));
    pump();
    assertThat(tunB).isNotEmpty();
  }
}
