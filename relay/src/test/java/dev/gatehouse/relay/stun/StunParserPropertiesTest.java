package dev.gatehouse.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.StunParseResult.Parsed;
import dev.gatehouse.relay.stun.StunParseResult.Rejected;
import java.util.Arrays;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile input never escapes the documented results of the STUN and ChannelData parsers. */
class StunParserPropertiesTest {

  @Property(tries = 5000)
  void parseIsTotalOnRandomBytes(
      @ForAll @Size(max = 300) byte[] bytes,
      @ForAll @IntRange(min = -5, max = 310) int off,
      @ForAll @IntRange(min = -5, max = 310) int len) {
    assertResult(StunMessage.parse(bytes, off, len));
    assertThat(ChannelData.parse(bytes, off, len)).isNotNull();
  }

  /** Random bodies behind a valid header: cookie right, length right, attributes garbage. */
  @Provide
  Arbitrary<byte[]> stunLike() {
    return StunShapes.datagrams(
        120,
        b -> {
          for (int i = 20; i + 1 < b.length; i += 8) { // make known attribute types likely
            b[i] = (byte) (b[i] & 0x80);
            b[i + 1] = (byte) (b[i + 1] & 0x3f);
          }
        });
  }

  @Property(tries = 5000)
  void parseIsTotalOnStunLikeBytes(@ForAll("stunLike") byte[] datagram) {
    StunParseResult r = assertResult(StunMessage.parse(datagram, 0, datagram.length));
    if (r instanceof Parsed p) {
      assertThat(p.message().verifyIntegrity(new byte[16])).isIn(true, false);
    }
  }

  @Property(tries = 2000)
  void flippingBitsOfAValidMessageNeverThrows(
      @ForAll @IntRange(min = 0, max = 99) int bytePos, // header and attributes up to FINGERPRINT
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll @IntRange(min = 0, max = 107) int cut) {
    byte[] copy = Rfc5769Vectors.SAMPLE_REQUEST.clone();
    copy[bytePos] ^= (byte) (1 << bit);
    StunParseResult r = assertResult(StunMessage.parse(copy, 0, copy.length));
    // (A flip in FINGERPRINT's own type hides it among the ignored attributes after
    // MESSAGE-INTEGRITY, as RFC 8489 §14.5 wants, so those bytes are left out.)
    // No flip passes both checks: FINGERPRINT or a length rejects it, or, when a flipped length
    // reshapes the attributes, MESSAGE-INTEGRITY no longer verifies.
    if (r instanceof Parsed p) {
      assertThat(p.message().verifyIntegrity(StunIntegrity.shortTermKey(Rfc5769Vectors.PASSWORD)))
          .isFalse();
    }
    assertResult(StunMessage.parse(Arrays.copyOf(copy, cut), 0, cut));
  }

  private static StunParseResult assertResult(StunParseResult r) {
    assertThat(r).isNotNull();
    switch (r) {
      case Parsed p -> assertThat(p.message().wire()).isNotNull();
      case Rejected rejected -> assertThat(rejected.reason()).isNotNull();
    }
    return r;
  }
}
