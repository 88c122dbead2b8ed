package dev.gatehouse.tunnel.filter;

import static dev.gatehouse.tunnel.packet.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.filter.FilterRule.Protocol;
import dev.gatehouse.tunnel.filter.PeerFilter.Verdict;
import java.util.Arrays;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class PeerFilterTest {
  private static final String CLIENT = "100.64.0.5";
  private static final String RESOURCE = "10.96.0.10";

  private final PeerFilter web =
      PeerFilter.of(
          List.of(
              new FilterRule.PermitPorts(Protocol.TCP, 443, 443),
              new FilterRule.PermitPorts(Protocol.UDP, 5000, 5010),
              new FilterRule.PermitIcmpEcho()));

  private static Verdict decide(PeerFilter f, byte[] b) {
    return f.decide(b, 0, b.length);
  }

  @Test
  void permitAllAndDenyAll() {
    byte[] b = v4(CLIENT, RESOURCE, 6, ports(40000, 22, 20));
    assertThat(decide(PeerFilter.permitAll(), b)).isEqualTo(Verdict.PERMIT);
    assertThat(decide(PeerFilter.denyAll(), b)).isEqualTo(Verdict.DENY_NO_RULE);
    assertThat(decide(PeerFilter.of(List.of()), b)).isEqualTo(Verdict.DENY_NO_RULE);
  }

  @Test
  void portRangesPerProtocol() {
    assertThat(decide(web, v4(CLIENT, RESOURCE, 6, ports(40000, 443, 20))))
        .isEqualTo(Verdict.PERMIT);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 6, ports(40000, 444, 20))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 17, ports(40000, 443, 8))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 17, ports(40000, 5000, 8))))
        .isEqualTo(Verdict.PERMIT);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 17, ports(40000, 5010, 8))))
        .isEqualTo(Verdict.PERMIT);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 17, ports(40000, 5011, 8))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    assertThat(decide(web, v6("fd00::5", "fd00::a", 6, ports(1, 443, 20))))
        .isEqualTo(Verdict.PERMIT);
  }

  @Test
  void icmpEchoButNotOtherIcmp() {
    assertThat(decide(web, v4(CLIENT, RESOURCE, 1, icmp(8, 0, new byte[8]))))
        .isEqualTo(Verdict.PERMIT);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 1, icmp(13, 0, new byte[8]))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    assertThat(decide(web, v6("fd00::5", "fd00::a", 58, icmp(128, 0, new byte[8]))))
        .isEqualTo(Verdict.PERMIT);
    PeerFilter noIcmp = PeerFilter.of(List.of(new FilterRule.PermitPorts(Protocol.TCP, 1, 65535)));
    assertThat(decide(noIcmp, v4(CLIENT, RESOURCE, 1, icmp(8, 0, new byte[8]))))
        .isEqualTo(Verdict.DENY_NO_RULE);
  }

  @Test
  void icmpErrorsForPermittedFlowsPass() {
    // the resource's TCP/443 segment to the client could not be delivered; the client reports it
    byte[] quoted = Arrays.copyOf(v4(RESOURCE, CLIENT, 6, ports(443, 40000, 20)), 28);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 1, icmp(3, 3, quoted)))).isEqualTo(Verdict.PERMIT);
    // ... but not for a flow that is not permitted
    byte[] ssh = Arrays.copyOf(v4(RESOURCE, CLIENT, 6, ports(22, 40000, 20)), 28);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 1, icmp(3, 3, ssh))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    // ... nor one that quotes a packet addressed to someone else
    byte[] other = Arrays.copyOf(v4(RESOURCE, "100.64.0.6", 6, ports(443, 40000, 20)), 28);
    assertThat(decide(web, v4(CLIENT, RESOURCE, 1, icmp(3, 3, other))))
        .isEqualTo(Verdict.DENY_NO_RULE);
    // ICMPv6 packet-too-big for a permitted flow
    byte[] q6 = Arrays.copyOf(v6("fd00::a", "fd00::5", 6, ports(443, 40000, 20)), 48);
    assertThat(decide(web, v6("fd00::5", "fd00::a", 58, icmp(2, 0, q6)))).isEqualTo(Verdict.PERMIT);
  }

  @Test
  void malformedIsDenied() {
    assertThat(web.decide(new byte[] {0x45, 0, 0}, 0, 3)).isEqualTo(Verdict.DENY_MALFORMED);
    assertThat(PeerFilter.permitAll().permits(new byte[0], 0, 0)).isFalse();
  }

  @Property(tries = 3000)
  void randomBytesNeverThrow(@ForAll @Size(max = 150) byte[] bytes) {
    assertThat(web.decide(bytes, 0, bytes.length)).isNotNull();
    assertThat(PeerFilter.permitAll().decide(bytes, 0, bytes.length)).isNotNull();
  }
}
