package dev.gatehouse.tunnel.packet;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * The Internet checksum (RFC 1071) over byte arrays: a ones'-complement sum of big-endian 16-bit
 * words, accumulated unfolded in a {@code long} so callers can add several ranges (pseudo-header,
 * header, payload) before folding once.
 */
public final class InternetChecksum {
  private static final VarHandle LONG_BE =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);

  private InternetChecksum() {}

  /**
   * Adds {@code b[off, off+len)} to {@code sum}. The range must start at an even offset from the
   * start of the checksummed data (every caller's ranges do); an odd final byte is padded with
   * zero.
   */
  public static long add(long sum, byte[] b, int off, int len) {
    int i = off;
    int end = off + len;
    // 64 bits at a time, each split into two 32-bit halves so the long accumulator cannot overflow
    // for any packet below 2^32 bytes.
    for (; i + 8 <= end; i += 8) {
      long v = (long) LONG_BE.get(b, i);
      sum += (v >>> 32) + (v & 0xffffffffL);
    }
    for (; i + 2 <= end; i += 2) {
      sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
    }
    if (i < end) {
      sum += (b[i] & 0xff) << 8;
    }
    return sum;
  }

  /** Folds an accumulated sum into 16 bits (not complemented). */
  public static int fold(long sum) {
    sum = (sum & 0xffffffffL) + (sum >>> 32);
    sum = (sum & 0xffffffffL) + (sum >>> 32);
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    sum = (sum & 0xffff) + (sum >>> 16);
    return (int) sum;
  }

  /** The checksum to store in a header: the complement of the folded sum. */
  public static int finish(long sum) {
    return ~fold(sum) & 0xffff;
  }

  /**
   * The unfolded sum of the TCP/UDP pseudo-header: source and destination addresses ({@code
   * addrLen} bytes each, destination right after source as in IPv4 and IPv6 headers), protocol and
   * upper-layer length.
   */
  public static long pseudoHeader(byte[] b, int srcOff, int addrLen, int protocol, int l4Len) {
    return add(0, b, srcOff, 2 * addrLen) + protocol + l4Len;
  }

  /** The IPv4 header checksum of {@code b[off, off+headerLen)}, computed with the field as zero. */
  public static int ipv4Header(byte[] b, int off, int headerLen) {
    long sum = add(0, b, off, headerLen) - (((b[off + 10] & 0xff) << 8) | (b[off + 11] & 0xff));
    return finish(sum);
  }
}
