package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A peer's allowed IPs change in place: the session stays, no new handshake. */
class AllowedIpsUpdateTest {

  static final int[] OTHER_IP = {10, 0, 9, 9};

  @Test
  void changingAllowedIpsKeepsTheSession() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.a.setAllowedIps(
        p.bAtA, List.of(IpPrefix.parse("10.0.0.2/32"), IpPrefix.parse("10.0.9.0/24")));

    p.tunB.clear();
    byte[] toOther = Packets.ipv4Udp(DevicePair.A_IP, OTHER_IP, 1000, 2000, 10);
    assertThat(p.aSends(toOther)).isInstanceOf(TunnelResult.WriteToNetwork.class);
    p.pump();
    assertThat(p.tunB).containsExactly(toOther);
    assertThat(p.bAtA.handshakesCompleted()).isEqualTo(1);

    p.a.setAllowedIps(p.bAtA, List.of(IpPrefix.parse("10.0.9.0/24")));
    assertThat(p.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1000, 2000, 10)))
        .isInstanceOf(TunnelResult.Dropped.class);
    assertThat(p.a.dropCount(DropReason.NO_ROUTE)).isEqualTo(1);
    assertThat(p.bAtA.handshakesCompleted()).isEqualTo(1);
  }

  @Test
  void aRemovedPeerCannotBeUpdated() {
    DevicePair p = new DevicePair();
    p.a.removePeer(p.bAtA);
    assertThatThrownBy(() -> p.a.setAllowedIps(p.bAtA, List.of()))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
