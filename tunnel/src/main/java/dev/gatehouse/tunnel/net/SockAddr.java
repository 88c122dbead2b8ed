package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteOrder;

/**
 * {@code struct sockaddr_in} and {@code sockaddr_in6} in native memory, both ways. An IPv6 socket
 * bound to all addresses also talks IPv4, through IPv4-mapped addresses ({@code ::ffff:a.b.c.d}):
 * {@link #encode} maps IPv4 destinations for it, and {@link #decode} turns mapped senders back into
 * IPv4, so a peer's endpoint compares equal whichever socket it came in on.
 */
final class SockAddr {
  static final short AF_INET = 2;
  static final short AF_INET6 = 10;

  /** Room for either family. */
  static final int SIZE = 28;

  private static final ValueLayout.OfShort PORT = JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

  private SockAddr() {}

  /**
   * Writes {@code to} into {@code sa} as a socket of the given family needs it; returns its length,
   * or -1 when that family cannot express it (an IPv6 destination for an IPv4 socket, an unresolved
   * name).
   */
  static int encode(InetSocketAddress to, MemorySegment sa, boolean ipv6Socket) {
    InetAddress ip = to.getAddress();
    if (ip == null) {
      return -1;
    }
    byte[] addr = ip.getAddress();
    short port = (short) to.getPort();
    if (!ipv6Socket) {
      if (addr.length != 4) {
        return -1;
      }
      sa.set(JAVA_SHORT, 0, AF_INET);
      sa.set(PORT, 2, port);
      MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 4, 4);
      sa.set(JAVA_LONG, 8, 0L);
      return 16;
    }
    sa.set(JAVA_SHORT, 0, AF_INET6);
    sa.set(PORT, 2, port);
    sa.set(JAVA_INT, 4, 0); // flow info
    if (ip instanceof Inet4Address) {
      sa.set(JAVA_LONG, 8, 0L);
      sa.set(JAVA_SHORT, 16, (short) 0);
      sa.set(JAVA_SHORT, 18, (short) -1);
      MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 20, 4);
      sa.set(JAVA_INT, 24, 0);
    } else {
      MemorySegment.copy(addr, 0, sa, JAVA_BYTE, 8, 16);
      sa.set(JAVA_INT, 24, ((Inet6Address) ip).getScopeId());
    }
    return SIZE;
  }

  /** The address in {@code sa}, or null for a family other than IPv4 and IPv6. */
  static InetSocketAddress decode(MemorySegment sa) {
    short family = sa.get(JAVA_SHORT, 0);
    int port = sa.get(PORT, 2) & 0xffff;
    try {
      if (family == AF_INET) {
        return new InetSocketAddress(InetAddress.getByAddress(bytes(sa, 4, 4)), port);
      }
      if (family != AF_INET6) {
        return null;
      }
      byte[] a = bytes(sa, 8, 16);
      if (isV4Mapped(a)) {
        return new InetSocketAddress(InetAddress.getByAddress(bytes(sa, 20, 4)), port);
      }
      return new InetSocketAddress(Inet6Address.getByAddress(null, a, sa.get(JAVA_INT, 24)), port);
    } catch (UnknownHostException e) {
      return null; // not reached: the lengths are right
    }
  }

  private static byte[] bytes(MemorySegment sa, int at, int n) {
    byte[] b = new byte[n];
    MemorySegment.copy(sa, JAVA_BYTE, at, b, 0, n);
    return b;
  }

  private static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  /**
   * The last sender decoded, reused while datagrams keep coming from it (nearly all do: one peer's
   * stream), so that receiving allocates no address per datagram. One per receiving thread.
   */
  static final class Cache {
    private final MemorySegment last;
    private int lastLen;
    private InetSocketAddress lastAddress;

    /** With {@code storage} ({@link #SIZE} bytes) to keep the last sender's bytes in. */
    Cache(MemorySegment storage) {
      this.last = storage;
    }

    /** The address in {@code sa} ({@code len} bytes, as recvmsg reported), or null. */
    InetSocketAddress decode(MemorySegment sa, int len) {
      if (lastAddress != null && len == lastLen && sameBytes(sa, len)) {
        return lastAddress;
      }
      InetSocketAddress a = len >= 16 ? SockAddr.decode(sa) : null;
      if (a != null && len <= SIZE) {
        lastAddress = a;
        lastLen = len;
        MemorySegment.copy(sa, 0, last, 0, len);
      }
      return a;
    }

    /** Word by word: {@code MemorySegment.mismatch} slices, which allocates unless inlined. */
    private boolean sameBytes(MemorySegment sa, int len) {
      if (sa.get(JAVA_LONG, 0) != last.get(JAVA_LONG, 0)
          || sa.get(JAVA_LONG, 8) != last.get(JAVA_LONG, 8)) {
        return false;
      }
      return len == 16
          || (len == SIZE
              && sa.get(JAVA_LONG, 16) == last.get(JAVA_LONG, 16)
              && sa.get(JAVA_INT, 24) == last.get(JAVA_INT, 24));
    }
  }
}
