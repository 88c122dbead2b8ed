package dev.gatehouse.gateway.nat;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.packet.Checksums;
import java.util.Arrays;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

class NatTableTest {

  static final int CLIENT = ip(100, 64, 0, 2);
  static final int OTHER_CLIENT = ip(100, 64, 0, 3);
  static final int PROXY = ip(100, 96, 0, 9);
  static final int PROXY2 = ip(100, 96, 0, 10);
  static final int REAL = ip(10, 20, 0, 5);

  static int ip(int a, int b, int c, int d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
  }

  /** An IPv4 packet with valid checksums: TCP (6), UDP (17) or ICMP echo (1). */
  static byte[] packet(int protocol, int src, int sport, int dst, int dport, int payload) {
    int l4 = protocol == 6 ? 20 : 8;
    int total = 20 + l4 + payload;
    byte[] p = new byte[total];
    p[0] = 0x45;
    Checksums.putWord(p, 2, total);
    p[8] = 64;
    p[9] = (byte) protocol;
    Checksums.putWord(p, 12, src >>> 16);
    Checksums.putWord(p, 14, src & 0xffff);
    Checksums.putWord(p, 16, dst >>> 16);
    Checksums.putWord(p, 18, dst & 0xffff);
    for (int i = 20 + l4; i < total; i++) {
      p[i] = (byte) (i * 7);
    }
    if (protocol == 1) {
      p[20] = 8; // echo request
      Checksums.putWord(p, 24, sport);
      Checksums.putWord(p, 22, Checksums.finish(Checksums.sum(p, 20, total - 20, 0)));
    } else {
      Checksums.putWord(p, 20, sport);
      Checksums.putWord(p, 22, dport);
      if (protocol == 6) {
        p[32] = 0x50;
        p[33] = 2;
      } else {
        Checksums.putWord(p, 24, l4 + payload);
      }
      Checksums.putWord(p, 20 + (protocol == 6 ? 16 : 6), Checksums.ipv4Transport(p, 0, total));
    }
    Checksums.putWord(p, 10, Checksums.ipv4Header(p, 0));
    return p;
  }

  static void assertChecksumsValid(byte[] p) {
    assertThat(Checksums.word(p, 10)).as("header").isEqualTo(Checksums.ipv4Header(p, 0));
    int protocol = p[9];
    if (protocol == 1) {
      assertThat(Checksums.finish(Checksums.sum(p, 20, p.length - 20, 0))).as("icmp").isZero();
    } else {
      int at = 20 + (protocol == 6 ? 16 : 6);
      assertThat(Checksums.word(p, at))
          .as("transport")
          .isEqualTo(Checksums.ipv4Transport(p, 0, p.length));
    }
  }

  static byte[] echoReply(int src, int dst, int identifier, int payload) {
    byte[] p = packet(1, src, identifier, dst, 0, payload);
    p[20] = 0;
    Checksums.putWord(p, 22, 0);
    Checksums.putWord(p, 22, Checksums.finish(Checksums.sum(p, 20, p.length - 20, 0)));
    return p;
  }

  final NatTable nat = new NatTable();

  @Test
  void translatesAClientsProxyAddressBothWays() {
    nat.set(CLIENT, Map.of(PROXY, REAL));
    byte[] syn = packet(6, CLIENT, 40001, PROXY, 443, 0);
    assertThat(nat.realDestination(syn, 0, syn.length)).isEqualTo(REAL);
    assertThat(nat.outbound(syn, 0, syn.length, 0)).isTrue();
    assertThat(Ipv4Rewrite.address(syn, 0, Ipv4Rewrite.DESTINATION)).isEqualTo(REAL);
    assertChecksumsValid(syn);

    byte[] synAck = packet(6, REAL, 443, CLIENT, 40001, 0);
    assertThat(nat.inbound(synAck, 0, synAck.length, 1)).isTrue();
    assertThat(Ipv4Rewrite.address(synAck, 0, Ipv4Rewrite.SOURCE)).isEqualTo(PROXY);
    assertChecksumsValid(synAck);
    assertThat(nat.connections()).isEqualTo(1);
  }

  @Test
  void onlyTheClientWhoseNameItIsIsTranslated() {
    nat.set(CLIENT, Map.of(PROXY, REAL));
    byte[] other = packet(6, OTHER_CLIENT, 40001, PROXY, 443, 0);
    assertThat(nat.outbound(other, 0, other.length, 0)).isFalse();
    assertThat(nat.realDestination(other, 0, other.length)).isZero();
    byte[] unrelated = packet(17, ip(10, 9, 9, 9), 53, CLIENT, 5353, 4);
    byte[] copy = unrelated.clone();
    assertThat(nat.inbound(unrelated, 0, unrelated.length, 0)).isFalse();
    assertThat(unrelated).isEqualTo(copy);
  }

  @Test
  void twoNamesOnOneAddressKeepTheirOwnReplies() {
    nat.set(CLIENT, Map.of(PROXY, REAL, PROXY2, REAL));
    byte[] a = packet(6, CLIENT, 1000, PROXY, 80, 0);
    byte[] b = packet(6, CLIENT, 2000, PROXY2, 80, 0);
    nat.outbound(a, 0, a.length, 0);
    nat.outbound(b, 0, b.length, 0);
    byte[] replyA = packet(6, REAL, 80, CLIENT, 1000, 0);
    byte[] replyB = packet(6, REAL, 80, CLIENT, 2000, 0);
    nat.inbound(replyA, 0, replyA.length, 0);
    nat.inbound(replyB, 0, replyB.length, 0);
    assertThat(Ipv4Rewrite.address(replyA, 0, Ipv4Rewrite.SOURCE)).isEqualTo(PROXY);
    assertThat(Ipv4Rewrite.address(replyB, 0, Ipv4Rewrite.SOURCE)).isEqualTo(PROXY2);
  }

  @Test
  void pingsAndUdpAreTranslatedAndIdleConnectionsExpire() {
    nat.set(CLIENT, Map.of(PROXY, REAL));
    byte[] ping = packet(1, CLIENT, 77, PROXY, 0, 16);
    assertThat(nat.outbound(ping, 0, ping.length, 0)).isTrue();
    assertChecksumsValid(ping);
    byte[] dns = packet(17, CLIENT, 5353, PROXY, 53, 30);
    assertThat(nat.outbound(dns, 0, dns.length, 0)).isTrue();
    assertChecksumsValid(dns);
    assertThat(nat.connections()).isEqualTo(2);
    assertThat(nat.expire(10, 5)).isEqualTo(2);
    nat.set(CLIENT, Map.of());
    assertThat(nat.mappings()).isZero();
  }

  @Test
  void aUdpPacketWithoutChecksumKeepsNone() {
    nat.set(CLIENT, Map.of(PROXY, REAL));
    byte[] p = packet(17, CLIENT, 1, PROXY, 2, 3);
    Checksums.putWord(p, 26, 0);
    nat.outbound(p, 0, p.length, 0);
    assertThat(Checksums.word(p, 26)).isZero();
  }

  @Property(tries = 1000)
  void checksumsStayValidAfterRewritingAnyPacket(
      @ForAll("protocols") int protocol,
      @ForAll int client,
      @ForAll int real,
      @ForAll @IntRange(max = 65535) int sport,
      @ForAll @IntRange(max = 65535) int dport,
      @ForAll @IntRange(max = 300) int payload) {
    NatTable t = new NatTable();
    int c = client == 0 ? 1 : client;
    int r = real == 0 ? 1 : real;
    t.set(c, Map.of(PROXY, r));
    byte[] p = packet(protocol, c, sport, PROXY, dport, payload);
    assertThat(t.outbound(p, 0, p.length, 0)).isTrue();
    assertChecksumsValid(p);
    byte[] reply =
        protocol == 1
            ? echoReply(r, c, sport, payload)
            : packet(protocol, r, dport, c, sport, payload);
    assertThat(t.inbound(reply, 0, reply.length, 0)).isTrue();
    assertThat(Ipv4Rewrite.address(reply, 0, Ipv4Rewrite.SOURCE)).isEqualTo(PROXY);
    assertChecksumsValid(reply);
  }

  @net.jqwik.api.Provide
  net.jqwik.api.Arbitrary<Integer> protocols() {
    return net.jqwik.api.Arbitraries.of(1, 6, 17);
  }

  @Property(tries = 1000)
  void hostileBytesNeverThrow(@ForAll @Size(max = 120) byte[] bytes, @ForAll boolean setVersion) {
    NatTable t = new NatTable();
    t.set(CLIENT, Map.of(PROXY, REAL));
    if (setVersion && bytes.length >= 20) {
      bytes[0] = 0x45;
      Checksums.putWord(bytes, 12, CLIENT >>> 16);
      Checksums.putWord(bytes, 14, CLIENT & 0xffff);
      Checksums.putWord(bytes, 16, PROXY >>> 16);
      Checksums.putWord(bytes, 18, PROXY & 0xffff);
    }
    byte[] copy = Arrays.copyOf(bytes, bytes.length);
    t.outbound(bytes, 0, bytes.length, 0);
    t.inbound(copy, 0, copy.length, 0);
    t.realDestination(bytes, 0, bytes.length);
  }
}
