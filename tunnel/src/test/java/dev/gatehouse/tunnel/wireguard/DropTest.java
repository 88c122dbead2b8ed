package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tampered, truncated, replayed and wrong-key input is dropped and counted, never thrown. */
class DropTest {
  /** The devices under test; {@link DropViaNativeMemoryTest} delivers from native memory. */
  DevicePair pair() {
    return new DevicePair();
  }

  private static final byte[] A_TO_B = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 40);

  private static TunnelResult.Dropped dropped(DropReason r) {
    return TunnelResult.Dropped.of(r);
  }

  private static byte[] dataFromA(DevicePair p) {
    p.toB.clear();
    p.aSends(A_TO_B);
    return p.toB.remove(0);
  }

  @Test
  void tamperedTransportIsDroppedAsBadTag() {
    DevicePair p = pair();
    p.handshake();
    for (int i : new int[] {16, 30, 50}) {
      byte[] d = dataFromA(p);
      d[i] ^= 1;
      assertThat(p.deliverToB(d)).isEqualTo(dropped(DropReason.BAD_TAG));
    }
    byte[] d = dataFromA(p);
    d[d.length - 1] ^= (byte) 0x80; // the tag itself
    assertThat(p.deliverToB(d)).isEqualTo(dropped(DropReason.BAD_TAG));
    assertThat(p.b.dropCount(DropReason.BAD_TAG)).isEqualTo(4);
    // the session is unharmed
    assertThat(p.deliverToB(dataFromA(p))).isInstanceOf(TunnelResult.WriteToTunnel.class);
  }

  @Test
  void onlyGenuineDatagramsCountAsAuthenticated() {
    DevicePair p = pair();
    p.handshake();
    long afterHandshake = p.b.authenticatedDatagrams();
    assertThat(afterHandshake).as("the initiation, at least").isPositive();
    byte[] d = dataFromA(p);
    byte[] forged = d.clone();
    forged[40] ^= 1;
    p.deliverToB(forged);
    p.deliverToB(new byte[3]);
    assertThat(p.b.authenticatedDatagrams()).isEqualTo(afterHandshake);
    p.deliverToB(d);
    assertThat(p.b.authenticatedDatagrams()).isEqualTo(afterHandshake + 1);
    p.deliverToB(d); // replayed
    assertThat(p.b.authenticatedDatagrams()).isEqualTo(afterHandshake + 1);
  }

  @Test
  void truncatedMessagesAreDropped() {
    DevicePair p = pair();
    p.handshake();
    byte[] d = dataFromA(p);
    assertThat(p.deliverToB(Arrays.copyOf(d, d.length - 1))).isEqualTo(dropped(DropReason.BAD_TAG));
    assertThat(p.deliverToB(Arrays.copyOf(d, 31))).isEqualTo(dropped(DropReason.MALFORMED));
    assertThat(p.deliverToB(Arrays.copyOf(d, 3))).isEqualTo(dropped(DropReason.MALFORMED));
    assertThat(p.deliverToB(new byte[0])).isEqualTo(dropped(DropReason.MALFORMED));

    DevicePair q = pair();
    q.aSends(A_TO_B);
    byte[] init = q.toB.remove(0);
    assertThat(q.deliverToB(Arrays.copyOf(init, 147))).isEqualTo(dropped(DropReason.MALFORMED));
    assertThat(q.b.dropCount(DropReason.MALFORMED)).isEqualTo(1);
  }

  @Test
  void replayedTransportIsDropped() {
    DevicePair p = pair();
    p.handshake();
    byte[] d = dataFromA(p);
    assertThat(p.deliverToB(d.clone())).isInstanceOf(TunnelResult.WriteToTunnel.class);
    assertThat(p.deliverToB(d.clone())).isEqualTo(dropped(DropReason.REPLAYED_COUNTER));
    assertThat(p.b.dropCount(DropReason.REPLAYED_COUNTER)).isEqualTo(1);
  }

  @Test
  void replayedInitiationIsDroppedByTimestamp() {
    DevicePair p = pair();
    p.aSends(A_TO_B);
    byte[] init = p.toB.remove(0);
    assertThat(p.deliverToB(init.clone())).isInstanceOf(TunnelResult.WriteToNetwork.class);
    p.clock.advance(Duration.ofSeconds(1));
    assertThat(p.deliverToB(init.clone())).isEqualTo(dropped(DropReason.REPLAYED_INITIATION));
  }

  @Test
  void initiationFloodIsDropped() {
    // Two valid initiations with increasing timestamps, consumed 10 ms apart: the second is a
    // flood (§5.1: at most one per INITIATION_MIN_INTERVAL); 20 ms apart it is accepted.
    DevicePair p = pair();
    Handshake responder = new Handshake(p.bId, p.aId.publicKey(), null);
    Handshake initiator = new Handshake(p.aId, p.bId.publicKey(), null);
    long now = 1_000_000_000L;
    Message.HandshakeInitiation m1 = initiation(initiator.createInitiation(1, 1_000_000_000_000L));
    Message.HandshakeInitiation m2 = initiation(initiator.createInitiation(2, 2_000_000_000_000L));
    assertThat(responder.consumeInitiation(Handshake.decryptStatic(p.bId, m1), m1, now))
        .isEqualTo(Handshake.ConsumeResult.OK);
    assertThat(
            responder.consumeInitiation(Handshake.decryptStatic(p.bId, m2), m2, now + 10_000_000L))
        .isEqualTo(Handshake.ConsumeResult.FLOOD);
    assertThat(
            responder.consumeInitiation(Handshake.decryptStatic(p.bId, m2), m2, now + 20_000_000L))
        .isEqualTo(Handshake.ConsumeResult.OK);
    // and through the device: a fresh A (no REKEY_TIMEOUT memory) initiates again 17 ms later,
    // a newer TAI64N (whitened to ~16.8 ms) but inside the 20 ms window: dropped as a flood
    DevicePair q = pair();
    q.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 3));
    assertThat(q.deliverToB(q.toB.remove(0))).isInstanceOf(TunnelResult.WriteToNetwork.class);
    q.clock.advance(Duration.ofMillis(17));
    q.a.removePeer(q.bAtA);
    q.a.addPeer(
        PeerConfig.of(q.bId.publicKey(), List.of(IpPrefix.parse("10.0.0.2/32")))
            .withEndpoint(DevicePair.B_ADDR));
    q.toB.clear();
    q.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 3));
    assertThat(q.deliverToB(q.toB.remove(0)))
        .isEqualTo(TunnelResult.Dropped.of(DropReason.INITIATION_FLOOD));
    assertThat(q.b.dropCount(DropReason.INITIATION_FLOOD)).isEqualTo(1);
  }

  private static Message.HandshakeInitiation initiation(byte[] raw) {
    return (Message.HandshakeInitiation) Message.parse(raw, 0, raw.length);
  }

  @Test
  void wrongKeysAreDropped() {
    DevicePair p = pair();
    // C knows B's public key, but B does not know C: UNKNOWN_PEER
    StaticIdentity c = StaticIdentity.generate();
    WireGuardDevice cDev = new WireGuardDevice(c, p.clock, WireGuardDevice.Config.defaults());
    cDev.addPeer(
        PeerConfig.of(p.bId.publicKey(), List.of(IpPrefix.parse("10.0.0.2/32")))
            .withEndpoint(DevicePair.B_ADDR));
    ByteBuffer out = ByteBuffer.allocate(2048);
    cDev.encapsulate(ByteBuffer.wrap(A_TO_B), out);
    assertThat(cDev.poll(out)).isInstanceOf(TunnelResult.WriteToNetwork.class);
    byte[] init = new byte[out.remaining()];
    out.get(init);
    assertThat(p.deliverToB(init)).isEqualTo(dropped(DropReason.UNKNOWN_PEER));

    // D addresses the initiation to a different responder key: mac1 does not match B's
    StaticIdentity d = StaticIdentity.generate();
    WireGuardDevice dDev = new WireGuardDevice(d, p.clock, WireGuardDevice.Config.defaults());
    dDev.addPeer(
        PeerConfig.of(StaticIdentity.generate().publicKey(), List.of(IpPrefix.parse("0.0.0.0/0")))
            .withEndpoint(DevicePair.B_ADDR));
    dDev.encapsulate(ByteBuffer.wrap(A_TO_B), out);
    dDev.poll(out);
    byte[] init2 = new byte[out.remaining()];
    out.get(init2);
    assertThat(p.deliverToB(init2)).isEqualTo(dropped(DropReason.BAD_MAC1));

    // a transport message under someone else's session index
    p.handshake();
    byte[] data = dataFromA(p);
    data[4] ^= 0x55;
    assertThat(p.deliverToB(data)).isEqualTo(dropped(DropReason.UNKNOWN_INDEX));
  }

  @Test
  void tamperedResponseDoesNotBreakTheHandshake() {
    DevicePair p = pair();
    p.aSends(A_TO_B);
    p.deliverToB(p.toB.remove(0));
    byte[] response = p.toA.remove(0);
    byte[] forged = response.clone();
    forged[20] ^= 1; // ephemeral key; mac1 then fails
    assertThat(p.deliverToA(forged)).isEqualTo(dropped(DropReason.BAD_MAC1));
    assertThat(p.deliverToA(response)).isEqualTo(TunnelResult.DONE);
    p.pump();
    assertThat(p.tunB).hasSize(1);
  }

  @Test
  void spoofedInnerSourceIsDropped() {
    DevicePair p = pair();
    p.handshake();
    // A sends a packet claiming source 10.0.0.99, which B does not route to A
    byte[] spoofed = Packets.ipv4Udp(new int[] {10, 0, 0, 99}, DevicePair.B_IP, 1, 2, 10);
    p.toB.clear();
    p.aSends(spoofed);
    assertThat(p.deliverToB(p.toB.remove(0))).isEqualTo(dropped(DropReason.SOURCE_NOT_ALLOWED));
  }

  @Test
  void noRouteAndNoEndpoint() {
    DevicePair p = pair();
    byte[] elsewhere = Packets.ipv4Udp(DevicePair.A_IP, new int[] {8, 8, 8, 8}, 1, 2, 10);
    assertThat(p.aSends(elsewhere)).isEqualTo(dropped(DropReason.NO_ROUTE));
    // B has no endpoint for A until A contacts it
    byte[] toA = Packets.ipv4Udp(DevicePair.B_IP, DevicePair.A_IP, 1, 2, 10);
    assertThat(p.bSends(toA)).isEqualTo(dropped(DropReason.NO_ENDPOINT));
    assertThat(p.aSends(new byte[] {0x45})).isEqualTo(dropped(DropReason.NO_ROUTE));
  }

  @Test
  void smallOrDirectOutputBufferIsReportedNotThrown() {
    DevicePair p = pair();
    TunnelResult r = p.a.encapsulate(ByteBuffer.wrap(A_TO_B), ByteBuffer.allocate(10));
    assertThat(r).isEqualTo(dropped(DropReason.BUFFER_TOO_SMALL));
    r =
        p.b.decapsulate(
            ByteBuffer.wrap(new byte[100]),
            new InetSocketAddress("192.0.2.9", 1),
            ByteBuffer.allocateDirect(2048));
    assertThat(r).isEqualTo(dropped(DropReason.BUFFER_TOO_SMALL));
  }
}
