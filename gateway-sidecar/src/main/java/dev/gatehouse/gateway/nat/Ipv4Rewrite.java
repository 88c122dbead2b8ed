package dev.gatehouse.gateway.nat;

import dev.gatehouse.tunnel.packet.Checksums;
import dev.gatehouse.tunnel.packet.IpPacket;

/**
 * Rewrites the source or destination of an IPv4 packet in place and fixes its checksums
 * incrementally (RFC 1624): the header checksum, and for the first fragment of a TCP or UDP packet
 * the transport checksum, whose pseudo-header covers the addresses (a UDP checksum of 0, "none",
 * stays 0). ICMP checksums do not cover the IP header and need no change. Allocation-free; callers
 * check the packet with {@link #isIpv4} first.
 */
public final class Ipv4Rewrite {

  private Ipv4Rewrite() {}

  public static final int SOURCE = 12;
  public static final int DESTINATION = 16;

  /** A well-formed IPv4 header whose total length fits {@code len}. */
  public static boolean isIpv4(byte[] p, int off, int len) {
    if (len < 20 || ((p[off] >>> 4) & 0xf) != 4) {
      return false;
    }
    int ihl = (p[off] & 0x0f) * 4;
    int total = Checksums.word(p, off + 2);
    return ihl >= 20 && total >= ihl && total <= len;
  }

  /** The address at {@code field} ({@link #SOURCE} or {@link #DESTINATION}) as an int. */
  public static int address(byte[] p, int off, int field) {
    return (Checksums.word(p, off + field) << 16) | Checksums.word(p, off + field + 2);
  }

  /** The transport protocol number. */
  public static int protocol(byte[] p, int off) {
    return p[off + 9] & 0xff;
  }

  /** Whether this is the first (or only) fragment, the one carrying the transport header. */
  public static boolean firstFragment(byte[] p, int off) {
    return (Checksums.word(p, off + 6) & 0x1fff) == 0;
  }

  /**
   * The port at {@code which} (0 = source, 2 = destination) of a TCP/UDP first fragment; for ICMP
   * echo the identifier; -1 otherwise.
   */
  public static int port(byte[] p, int off, int len, int which) {
    int ihl = (p[off] & 0x0f) * 4;
    int total = Checksums.word(p, off + 2);
    if (!firstFragment(p, off)) {
      return -1;
    }
    return switch (protocol(p, off)) {
      case IpPacket.TCP, IpPacket.UDP ->
          total >= ihl + 4 && total <= len ? Checksums.word(p, off + ihl + which) : -1;
      case IpPacket.ICMP -> {
        if (total < ihl + 8) {
          yield -1;
        }
        int type = p[off + ihl] & 0xff;
        yield type == 8 || type == 0 ? Checksums.word(p, off + ihl + 4) : -1;
      }
      default -> -1;
    };
  }

  /** Writes {@code address} at {@code field} and adjusts the checksums it is covered by. */
  public static void rewrite(byte[] p, int off, int len, int field, int address) {
    int oldHi = Checksums.word(p, off + field);
    int oldLo = Checksums.word(p, off + field + 2);
    int newHi = address >>> 16;
    int newLo = address & 0xffff;
    Checksums.putWord(p, off + field, newHi);
    Checksums.putWord(p, off + field + 2, newLo);
    adjustAt(p, off + 10, oldHi, oldLo, newHi, newLo, false);
    if (!firstFragment(p, off)) {
      return;
    }
    int ihl = (p[off] & 0x0f) * 4;
    int total = Checksums.word(p, off + 2);
    switch (protocol(p, off)) {
      case IpPacket.TCP -> {
        if (total >= ihl + 18 && total <= len) {
          adjustAt(p, off + ihl + 16, oldHi, oldLo, newHi, newLo, false);
        }
      }
      case IpPacket.UDP -> {
        if (total >= ihl + 8 && total <= len && Checksums.word(p, off + ihl + 6) != 0) {
          adjustAt(p, off + ihl + 6, oldHi, oldLo, newHi, newLo, true);
        }
      }
      default -> {}
    }
  }

  private static void adjustAt(
      byte[] p, int at, int oldHi, int oldLo, int newHi, int newLo, boolean udp) {
    int c = Checksums.word(p, at);
    c = Checksums.adjust(Checksums.adjust(c, oldHi, newHi), oldLo, newLo);
    if (udp && c == 0) {
      c = 0xffff; // 0 means "no checksum" in UDP over IPv4
    }
    Checksums.putWord(p, at, c);
  }
}
