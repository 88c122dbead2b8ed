package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile input never escapes the documented results of the wire parsers. */
class ParserPropertiesTest {
  private static final InetSocketAddress FROM = new InetSocketAddress("192.0.2.9", 9999);

  /** One established pair reused by the garbage property: garbage must not change its state. */
  private static final DevicePair SHARED = established();

  private static DevicePair established() {
    DevicePair p = new DevicePair();
    p.handshake();
    return p;
  }

  @Property(tries = 5000)
  void messageParseIsTotal(
      @ForAll @Size(max = 300) byte[] bytes,
      @ForAll @IntRange(min = -5, max = 310) int off,
      @ForAll @IntRange(min = -5, max = 310) int len) {
    Message m = Message.parse(bytes, off, len);
    assertThat(m).isNotNull();
    switch (m) {
      case Message.HandshakeInitiation i -> assertThat(len).isEqualTo(Protocol.INITIATION_SIZE);
      case Message.HandshakeResponse r -> assertThat(len).isEqualTo(Protocol.RESPONSE_SIZE);
      case Message.CookieReply c -> assertThat(len).isEqualTo(Protocol.COOKIE_REPLY_SIZE);
      case Message.TransportHeader t -> assertThat(len).isGreaterThanOrEqualTo(32);
      case Message.Invalid invalid -> assertThat(invalid.reason()).isNotBlank();
    }
  }

  @Provide
  Arbitrary<byte[]> wireLike() {
    // random bytes, but often with a valid type and zero reserved bytes, at the exact sizes
    Arbitrary<Integer> sizes = Arbitraries.of(0, 3, 4, 31, 32, 33, 48, 64, 92, 148, 200, 1500);
    return sizes.flatMap(
        n ->
            Arbitraries.bytes()
                .array(byte[].class)
                .ofSize(n)
                .map(
                    b -> {
                      if (b.length >= 4 && (b.length % 2 == 0)) {
                        b[0] = (byte) (1 + Math.floorMod(b[0], 4));
                        b[1] = b[2] = b[3] = 0;
                      }
                      return b;
                    }));
  }

  @Property(tries = 3000)
  void decapsulateDropsGarbageWithoutThrowing(@ForAll("wireLike") byte[] datagram) {
    ByteBuffer out = ByteBuffer.allocate(2048);
    TunnelResult r = SHARED.b.decapsulate(ByteBuffer.wrap(datagram), FROM, out);
    assertThat(r).isInstanceOf(TunnelResult.Dropped.class);
  }

  @Property(tries = 150)
  void flippingAnyBitOfATransportMessageDropsIt(
      @ForAll @IntRange(min = 0, max = 75) int bytePos,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    DevicePair p = new DevicePair();
    p.handshake();
    p.toB.clear();
    p.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 40));
    byte[] d = p.toB.remove(0);
    d[bytePos] ^= (byte) (1 << bit);
    TunnelResult r = p.deliverToB(d);
    assertThat(r).isInstanceOf(TunnelResult.Dropped.class);
    assertThat(p.tunB).hasSize(1); // only the handshake's packet got through
  }

  @Property(tries = 150)
  void flippingAnyBitOfAnInitiationDropsIt(
      @ForAll @IntRange(min = 0, max = 147) int bytePos,
      @ForAll @IntRange(min = 0, max = 7) int bit) {
    DevicePair p = new DevicePair();
    p.aSends(Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 40));
    byte[] d = p.toB.remove(0);
    d[bytePos] ^= (byte) (1 << bit);
    TunnelResult r = p.deliverToB(d);
    if (bytePos >= 132) {
      // mac2 is not checked when not under load (§5.4.4): the initiation is still valid
      assertThat(r).isInstanceOf(TunnelResult.WriteToNetwork.class);
    } else {
      assertThat(r).isInstanceOf(TunnelResult.Dropped.class);
    }
  }

  @Property(tries = 2000)
  void ipPrefixParseThrowsOnlyIllegalArgument(@ForAll String text) {
    assertThatCode(
            () -> {
              try {
                IpPrefix.parse(text);
              } catch (IllegalArgumentException expected) {
                // documented
              }
            })
        .doesNotThrowAnyException();
  }

  @Property(tries = 2000)
  void ipPrefixParseOfDottedNoise(
      @ForAll @Size(max = 6) List<@IntRange(min = -1, max = 300) Integer> parts,
      @ForAll @IntRange(min = -2, max = 140) int len) {
    String text = String.join(".", parts.stream().map(String::valueOf).toList()) + "/" + len;
    try {
      IpPrefix pfx = IpPrefix.parse(text);
      assertThat(pfx.length()).isBetween(0, 128);
    } catch (IllegalArgumentException expected) {
      // documented
    }
  }
}
