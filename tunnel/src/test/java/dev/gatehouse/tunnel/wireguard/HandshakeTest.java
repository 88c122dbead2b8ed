package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class HandshakeTest {

  @Test
  void initiatorSendsInitiationThenDataFlowsBothWays() {
    DevicePair p = new DevicePair();
    byte[] ip = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1000, 2000, 100);
    TunnelResult r = p.aSends(ip);
    assertThat(r).isEqualTo(TunnelResult.DONE); // staged, initiation queued
    assertThat(p.toB).hasSize(1);
    assertThat(p.toB.get(0)).hasSize(Protocol.INITIATION_SIZE);
    assertThat(p.toB.get(0)[0]).isEqualTo(Protocol.TYPE_INITIATION);

    p.pump();
    assertThat(p.tunB).hasSize(1);
    assertThat(p.tunB.get(0)).isEqualTo(ip);
    assertThat(p.bAtA.handshakesCompleted()).isEqualTo(1);
    assertThat(p.aAtB.handshakesCompleted()).isEqualTo(1);

    byte[] reply = Packets.ipv4Udp(DevicePair.B_IP, DevicePair.A_IP, 2000, 1000, 1400);
    TunnelResult back = p.bSends(reply);
    assertThat(back).isInstanceOf(TunnelResult.WriteToNetwork.class);
    p.pump();
    assertThat(p.tunA).hasSize(1);
    assertThat(p.tunA.get(0)).isEqualTo(reply);
  }

  @Test
  void presharedKeysMustMatch() {
    byte[] psk = new byte[32];
    Arrays.fill(psk, (byte) 7);
    DevicePair ok = new DevicePair(WireGuardDevice.Config.defaults(), psk);
    ok.handshake();

    DevicePair p = new DevicePair(WireGuardDevice.Config.defaults(), psk);
    // B forgets the psk: B's response is keyed without it, A rejects it
    p.b.removePeer(p.aAtB);
    p.b.addPeer(PeerConfig.of(p.aId.publicKey(), java.util.List.of(IpPrefix.parse("10.0.0.1/32"))));
    p.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 3));
    p.pump();
    assertThat(p.tunB).isEmpty();
    assertThat(p.a.dropCount(DropReason.HANDSHAKE_FAILED)).isEqualTo(1);
  }

  @Test
  void keyDerivationMatchesBothRoles() {
    DevicePair p = new DevicePair();
    p.handshake();
    // B initiates now (the other role) after A's session: both keep working
    p.clock.advance(java.time.Duration.ofSeconds(6));
    p.b.removePeer(p.aAtB);
    Peer aAtB =
        p.b.addPeer(
            PeerConfig.of(p.aId.publicKey(), java.util.List.of(IpPrefix.parse("10.0.0.1/32")))
                .withEndpoint(DevicePair.A_ADDR));
    byte[] ip = Packets.ipv4Udp(DevicePair.B_IP, DevicePair.A_IP, 5, 6, 7);
    p.bSends(ip);
    p.pump();
    assertThat(p.tunA).containsExactly(ip);
    assertThat(aAtB.handshakesCompleted()).isEqualTo(1);
  }

  @Test
  void simultaneousInitiationsConverge() {
    DevicePair p = new DevicePair();
    p.b.removePeer(p.aAtB);
    Peer aAtB =
        p.b.addPeer(
            PeerConfig.of(p.aId.publicKey(), java.util.List.of(IpPrefix.parse("10.0.0.1/32")))
                .withEndpoint(DevicePair.A_ADDR));
    byte[] ab = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 3);
    byte[] ba = Packets.ipv4Udp(DevicePair.B_IP, DevicePair.A_IP, 2, 1, 3);
    p.aSends(ab);
    p.bSends(ba);
    assertThat(p.toA).hasSize(1);
    assertThat(p.toB).hasSize(1);
    // Both initiations cross: each side answers the other's and forgets its own, so both
    // responses meet freed indices (as in wireguard-go). The REKEY_TIMEOUT retransmissions carry
    // independent jitter (§6.4), so the earlier one completes before the other fires.
    p.pump();
    for (int i = 0; i < 2000 && (p.tunA.isEmpty() || p.tunB.isEmpty()); i++) {
      p.clock.advance(java.time.Duration.ofMillis(10));
      p.tick();
      p.pump();
    }
    assertThat(p.tunB).contains(ab);
    assertThat(p.tunA).contains(ba);
    // afterwards both directions work without further handshakes
    long before = aAtB.handshakesCompleted() + p.bAtA.handshakesCompleted();
    p.tunA.clear();
    p.tunB.clear();
    p.aSends(ab);
    p.bSends(ba);
    p.pump();
    assertThat(p.tunB).containsExactly(ab);
    assertThat(p.tunA).containsExactly(ba);
    assertThat(aAtB.handshakesCompleted() + p.bAtA.handshakesCompleted()).isEqualTo(before);
  }
}
