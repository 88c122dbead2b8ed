package dev.gatehouse.relay.stun;

import java.util.function.Consumer;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;

/** jqwik generators of hostile datagrams that get past the first checks of a STUN parser. */
public final class StunShapes {
  private StunShapes() {}

  /**
   * Random bytes with a valid STUN header (zero top bits, magic cookie, length matching up to
   * {@code maxWords} 4-byte words of attributes); {@code shape} may first bias the bytes, e.g.
   * towards known attribute types.
   */
  public static Arbitrary<byte[]> datagrams(int maxWords, Consumer<byte[]> shape) {
    return Arbitraries.integers()
        .between(0, maxWords)
        .flatMap(
            words ->
                Arbitraries.bytes()
                    .array(byte[].class)
                    .ofSize(TurnProtocol.HEADER_SIZE + 4 * words)
                    .map(
                        b -> {
                          shape.accept(b);
                          b[0] &= 0x3f;
                          b[2] = (byte) ((4 * words) >>> 8);
                          b[3] = (byte) (4 * words);
                          System.arraycopy(
                              StunAttribute.be32(TurnProtocol.MAGIC_COOKIE), 0, b, 4, 4);
                          return b;
                        }));
  }
}
