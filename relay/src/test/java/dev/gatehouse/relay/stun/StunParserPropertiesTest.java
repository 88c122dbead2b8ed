package dev.gatehouse.relay.stun;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.StunParseResult.Parsed;
import dev.gatehouse.relay.stun.StunParseResult.Rejected;
import java.util.Arrays;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/** Hostile input never escapes the documented results of the STUN and ChannelData parsers. */
class StunParserPropertiesTest {
  private static final StunMessage ORIGINAL =
      ((Parsed)
              StunMessage.parse(
                  Rfc5769Vectors.SAMPLE_REQUEST, 0, Rfc5769Vectors.SAMPLE_REQUEST.length))
          .message();

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
    return Arbitraries.integers()
        .between(0, 120)
        .flatMap(
            words ->
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofSize(20 + 4 * words)
                    .map(
                        b -> {
                          b[0] &= 0x3f;
                          b[2] = (byte) ((4 * words) >>> 8);
                          b[3] = (byte) (4 * words);
                          b[4] = 0x21;
                          b[5] = 0x12;
                          b[6] = (byte) 0xa4;
                          b[7] = 0x42;
                          // make known attribute types likely
                          for (int i = 20; i + 1 < b.length; i += 8) {
                            b[i] = (byte) (b[i] & 0x80);
                            b[i + 1] = (byte) (b[i + 1] & 0x3f);
                          }
                          return b;
                        }));
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
      @ForAll @IntRange(min = 0, max = 107) int bytePos,
      @ForAll @IntRange(min = 0, max = 7) int bit,
      @ForAll @IntRange(min = 0, max = 107) int cut) {
    byte[] copy = Rfc5769Vectors.SAMPLE_REQUEST.clone();
    copy[bytePos] ^= (byte) (1 << bit);
    StunParseResult r = assertResult(StunMessage.parse(copy, 0, copy.length));
    // A flip is never accepted silently: it is rejected (FINGERPRINT, lengths) or, when it changes
    // the attribute structure itself, yields a different message.
    if (r instanceof Parsed p) {
      assertThat(p.message()).isNotEqualTo(ORIGINAL);
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
