package dev.gatehouse.tunnel.packet;

/**
 * The Internet checksum (RFC 1071) over IPv4 headers and TCP/UDP segments, computed in full or
 * updated incrementally when one 16-bit word changes (RFC 1624, eqn. 3). Pure, allocation-free,
 * never throws for in-range offsets.
 */
public final class Checksums {

  private Checksums() {}

  /**
   * The unfolded one's-complement sum of {@code b[off, off+len)} as 16-bit words, plus {@code
   * initial}.
   */
  public static long sum(byte[] b, int off, int len, long initial) {
    long s = initial;
    int i = off;
    int end = off + len;
    for (; i + 1 < end; i += 2) {
      s += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    if (i < end) {
      s += (b[i] & 0xff) << 8;
    }
    return s;
  }

  /** Folds a sum to 16 bits and complements it: the value to store in a checksum field. */
  public static int finish(long sum) {
    while ((sum >>> 16) != 0) {
      sum = (sum & 0xffff) + (sum >>> 16);
    }
    return (int) (~sum & 0xffff);
  }

  /**
   * The header checksum an IPv4 header at {@code off} should carry (its own field counted as 0).
   */
  public static int ipv4Header(byte[] b, int off) {
    int ihl = (b[off] & 0x0f) * 4;
    long s = sum(b, off, ihl, 0) - (((b[off + 10] & 0xff) << 8) | (b[off + 11] & 0xff));
    return finish(s);
  }

  /**
   * The TCP or UDP checksum an IPv4 packet at {@code off} should carry (pseudo-header included, the
   * field itself counted as 0), or -1 when the packet is not an unfragmented TCP/UDP packet whose
   * length fits {@code len}.
   */
  public static int ipv4Transport(byte[] b, int off, int len) {
    if (len < 20 || ((b[off] >>> 4) & 0xf) != 4) {
      return -1;
    }
    int ihl = (b[off] & 0x0f) * 4;
    int total = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    int protocol = b[off + 9] & 0xff;
    int field = protocol == IpPacket.TCP ? 16 : protocol == IpPacket.UDP ? 6 : -1;
    if (field < 0 || ihl < 20 || total > len || total < ihl + field + 2) {
      return -1;
    }
    int l4 = total - ihl;
    long s = sum(b, off + 12, 8, 0) + protocol + l4;
    s = sum(b, off + ihl, l4, s);
    s -= ((b[off + ihl + field] & 0xff) << 8) | (b[off + ihl + field + 1] & 0xff);
    int c = finish(s);
    return protocol == IpPacket.UDP && c == 0 ? 0xffff : c;
  }

  /**
   * RFC 1624 eqn. 3: the checksum after one 16-bit word covered by it changed from {@code oldWord}
   * to {@code newWord}: HC' = ~(~HC + ~m + m').
   */
  public static int adjust(int checksum, int oldWord, int newWord) {
    long s = (~checksum & 0xffff) + (~oldWord & 0xffff) + (newWord & 0xffff);
    return finish(s);
  }

  /** Reads the big-endian 16-bit word at {@code off}. */
  public static int word(byte[] b, int off) {
    return ((b[off] & 0xff) << 8) | (b[off + 1] & 0xff);
  }

  /** Writes a big-endian 16-bit word at {@code off}. */
  public static void putWord(byte[] b, int off, int value) {
    b[off] = (byte) (value >>> 8);
    b[off + 1] = (byte) value;
  }
}
