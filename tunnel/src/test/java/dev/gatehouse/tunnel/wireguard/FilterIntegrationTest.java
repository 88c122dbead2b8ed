package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.filter.FilterRule;
import dev.gatehouse.tunnel.filter.PeerFilter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The gateway's per-peer filter applies to decrypted packets and counts what it drops. */
class FilterIntegrationTest {
  @Test
  void onlyPermittedFlowsReachTheTun() {
    DevicePair p = new DevicePair();
    p.b.removePeer(p.aAtB);
    p.b.addPeer(
        PeerConfig.of(p.aId.publicKey(), List.of(IpPrefix.parse("10.0.0.1/32")))
            .withFilter(
                PeerFilter.of(
                    List.of(new FilterRule.PermitPorts(FilterRule.Protocol.UDP, 53, 53)))));
    byte[] dns = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 40000, 53, 30);
    byte[] other = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 40000, 54, 30);
    p.aSends(dns);
    p.pump();
    assertThat(p.tunB).containsExactly(dns);
    p.toB.clear();
    p.aSends(other);
    assertThat(p.deliverToB(p.toB.remove(0)))
        .isEqualTo(TunnelResult.Dropped.of(DropReason.FILTERED));
    assertThat(p.b.dropCount(DropReason.FILTERED)).isEqualTo(1);
    assertThat(p.tunB).containsExactly(dns);
  }
}
