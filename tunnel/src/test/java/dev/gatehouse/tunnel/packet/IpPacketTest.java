package dev.gatehouse.tunnel.packet;

import static dev.gatehouse.tunnel.packet.TestPackets.*;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class IpPacketTest {
  private final IpPacket p = new IpPacket();

  @Test
  void ipv4Tcp() {
    byte[] b = v4("10.0.0.1", "10.0.0.2", 6, ports(40000, 443, 20));
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.OK);
    assertThat(p.version()).isEqualTo(4);
    assertThat(p.protocol()).isEqualTo(IpPacket.TCP);
    assertThat(p.srcPort()).isEqualTo(40000);
    assertThat(p.dstPort()).isEqualTo(443);
    assertThat(p.srcAddress()).isEqualTo("10.0.0.1");
    assertThat(p.dstAddress()).isEqualTo("10.0.0.2");
    assertThat(p.length()).isEqualTo(40);
  }

  @Test
  void ipv6UdpBehindExtensionHeaders() {
    byte[] udp = ports(5353, 53, 8);
    byte[] hopByHop = new byte[8 + udp.length];
    hopByHop[0] = 17; // next: UDP
    hopByHop[1] = 0; // 8 bytes
    System.arraycopy(udp, 0, hopByHop, 8, udp.length);
    byte[] b = v6("fd00::1", "fd00::2", 0, hopByHop);
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.OK);
    assertThat(p.protocol()).isEqualTo(IpPacket.UDP);
    assertThat(p.dstPort()).isEqualTo(53);
    assertThat(p.dstAddress()).isEqualTo("fd00:0:0:0:0:0:0:2");
  }

  @Test
  void icmpErrorExposesTheQuotedPacket() {
    byte[] quoted = Arrays.copyOf(v4("10.0.0.2", "10.0.0.1", 17, ports(53, 40000, 8)), 28);
    byte[] b = v4("10.0.0.1", "10.0.0.2", 1, icmp(3, 3, quoted));
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.OK);
    assertThat(p.isIcmpError()).isTrue();
    assertThat(p.embedded().srcPort()).isEqualTo(53);
    assertThat(p.srcEqualsDstOf(p.embedded())).isTrue();
  }

  @Test
  void icmpv6EchoIsNotAnError() {
    byte[] b = v6("fd00::1", "fd00::2", 58, icmp(128, 0, new byte[8]));
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.OK);
    assertThat(p.icmpType()).isEqualTo(128);
    assertThat(p.isIcmpError()).isFalse();
  }

  @Test
  void laterFragmentsHaveNoPorts() {
    byte[] b = v4("10.0.0.1", "10.0.0.2", 6, new byte[20]);
    b[6] = 0x00;
    b[7] = 0x10; // fragment offset 16
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.OK);
    assertThat(p.firstFragment()).isFalse();
    assertThat(p.dstPort()).isEqualTo(-1);
  }

  @Test
  void malformedInputs() {
    byte[] b = v4("10.0.0.1", "10.0.0.2", 6, ports(1, 2, 20));
    assertThat(p.parse(b, 0, 30)).isEqualTo(IpPacket.Status.TRUNCATED);
    b[0] = 0x44; // IHL 4
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.BAD_HEADER);
    b[0] = 0x25;
    assertThat(p.parse(b, 0, b.length)).isEqualTo(IpPacket.Status.BAD_VERSION);
    assertThat(p.parse(b, 5, 100)).isEqualTo(IpPacket.Status.TRUNCATED);
    assertThat(p.parse(null, 0, 1)).isEqualTo(IpPacket.Status.TRUNCATED);
  }

  @Property(tries = 3000)
  void randomBytesNeverThrow(
      @ForAll @Size(max = 200) byte[] bytes, @ForAll @IntRange(min = -2, max = 210) int len) {
    IpPacket.Status s = new IpPacket().parse(bytes, 0, len);
    assertThat(s).isNotNull();
  }

  @Property(tries = 3000)
  void randomBytesBehindAValidVersionNibbleNeverThrow(
      @ForAll @Size(min = 1, max = 120) byte[] bytes, @ForAll boolean v6) {
    bytes[0] = (byte) ((v6 ? 0x60 : 0x45) | (bytes[0] & 0x0f));
    IpPacket q = new IpPacket();
    if (q.parse(bytes, 0, bytes.length) == IpPacket.Status.OK) {
      assertThat(q.length()).isBetween(20, bytes.length);
      if (q.embedded() != null) {
        assertThat(q.isIcmpError()).isTrue();
      }
    }
  }
}
