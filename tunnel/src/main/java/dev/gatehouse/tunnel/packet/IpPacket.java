package dev.gatehouse.tunnel.packet;

/**
 * A reusable, allocation-free view of an IPv4 or IPv6 packet: version, addresses (as offsets into
 * the caller's array), transport protocol, TCP/UDP ports, ICMP/ICMPv6 type and code, and for ICMP
 * error messages the quoted ("embedded") packet's header. {@link #parse} is total: any input yields
 * a {@link Status}, never an exception, and the accessors are meaningful only after {@link
 * Status#OK}. Not thread-safe; keep one per thread.
 */
public final class IpPacket {

  /** Outcome of {@link #parse}. */
  public enum Status {
    OK,
    /** Shorter than its headers claim. */
    TRUNCATED,
    /** Version nibble is neither 4 nor 6. */
    BAD_VERSION,
    /** A header field is inconsistent (IHL below 5, total length below header, ...). */
    BAD_HEADER,
  }

  public static final int ICMP = 1;
  public static final int TCP = 6;
  public static final int UDP = 17;
  public static final int ICMPV6 = 58;
  private static final int NO_PORT = -1;

  private int version;
  private int protocol;
  private int srcOffset;
  private int dstOffset;
  private int addressLength;
  private int srcPort;
  private int dstPort;
  private int icmpType;
  private int icmpCode;
  private boolean firstFragment;
  private int length;
  private byte[] array;

  private IpPacket embedded;
  private boolean hasEmbedded;
  private final boolean isEmbedded;

  public IpPacket() {
    this(false);
  }

  private IpPacket(boolean isEmbedded) {
    this.isEmbedded = isEmbedded;
  }

  /** Parses {@code b[off, off+len)}. Never throws for any array, offset or length. */
  public Status parse(byte[] b, int off, int len) {
    reset();
    if (b == null || off < 0 || len < 1 || off > b.length || len > b.length - off) {
      return Status.TRUNCATED;
    }
    array = b;
    version = (b[off] >>> 4) & 0xf;
    return switch (version) {
      case 4 -> parseV4(b, off, len);
      case 6 -> parseV6(b, off, len);
      default -> Status.BAD_VERSION;
    };
  }

  private void reset() {
    version = 0;
    protocol = -1;
    srcPort = NO_PORT;
    dstPort = NO_PORT;
    icmpType = -1;
    icmpCode = -1;
    firstFragment = true;
    hasEmbedded = false;
    length = 0;
  }

  private Status parseV4(byte[] b, int off, int len) {
    if (len < 20) {
      return Status.TRUNCATED;
    }
    int ihl = (b[off] & 0xf) * 4;
    int total = u16(b, off + 2);
    if (ihl < 20) {
      return Status.BAD_HEADER;
    }
    // An embedded (quoted) packet is usually cut short: trust what is there, not total length.
    if (!isEmbedded) {
      if (total < ihl) {
        return Status.BAD_HEADER;
      }
      if (total > len) {
        return Status.TRUNCATED;
      }
      len = total;
    }
    if (ihl > len) {
      return Status.TRUNCATED;
    }
    length = len;
    protocol = b[off + 9] & 0xff;
    addressLength = 4;
    srcOffset = off + 12;
    dstOffset = off + 16;
    int fragOffset = u16(b, off + 6) & 0x1fff;
    firstFragment = fragOffset == 0;
    return parseTransport(b, off + ihl, off + len);
  }

  private Status parseV6(byte[] b, int off, int len) {
    if (len < 40) {
      return Status.TRUNCATED;
    }
    if (!isEmbedded) {
      int total = 40 + u16(b, off + 4);
      if (total > len) {
        return Status.TRUNCATED;
      }
      len = total;
    }
    length = len;
    addressLength = 16;
    srcOffset = off + 8;
    dstOffset = off + 24;
    int next = b[off + 6] & 0xff;
    int p = off + 40;
    int end = off + len;
    for (int hops = 0; hops < 8; hops++) {
      switch (next) {
        case 0, 43, 60 -> { // hop-by-hop, routing, destination options
          if (end - p < 8) {
            return Status.TRUNCATED;
          }
          int hdrLen = ((b[p + 1] & 0xff) + 1) * 8;
          next = b[p] & 0xff;
          if (end - p < hdrLen) {
            return Status.TRUNCATED;
          }
          p += hdrLen;
        }
        case 44 -> { // fragment
          if (end - p < 8) {
            return Status.TRUNCATED;
          }
          next = b[p] & 0xff;
          firstFragment = (u16(b, p + 2) & 0xfff8) == 0;
          p += 8;
        }
        case 51 -> { // authentication header: length in 4-octet units minus 2
          if (end - p < 8) {
            return Status.TRUNCATED;
          }
          int hdrLen = ((b[p + 1] & 0xff) + 2) * 4;
          next = b[p] & 0xff;
          if (end - p < hdrLen) {
            return Status.TRUNCATED;
          }
          p += hdrLen;
        }
        default -> {
          protocol = next;
          return parseTransport(b, p, end);
        }
      }
    }
    return Status.BAD_HEADER; // too many extension headers
  }

  private Status parseTransport(byte[] b, int p, int end) {
    if (!firstFragment) {
      return Status.OK; // no transport header in later fragments
    }
    int avail = end - p;
    switch (protocol) {
      case TCP, UDP -> {
        int need = isEmbedded ? 4 : (protocol == TCP ? 20 : 8);
        if (avail < need) {
          return Status.TRUNCATED;
        }
        srcPort = u16(b, p);
        dstPort = u16(b, p + 2);
      }
      case ICMP, ICMPV6 -> {
        if (avail < (isEmbedded ? 2 : 8)) {
          return Status.TRUNCATED;
        }
        icmpType = b[p] & 0xff;
        icmpCode = b[p + 1] & 0xff;
        if (!isEmbedded && isIcmpError()) {
          if (embedded == null) {
            embedded = new IpPacket(true);
          }
          Status inner = embedded.parse(b, p + 8, avail - 8);
          if (inner != Status.OK) {
            return inner;
          }
          if (embedded.version != version) {
            return Status.BAD_HEADER;
          }
          hasEmbedded = true;
        }
      }
      default -> {}
    }
    return Status.OK;
  }

  /** Whether this is an ICMP (v4: 3,4,5,11,12) or ICMPv6 (below 128) error message. */
  public boolean isIcmpError() {
    if (protocol == ICMP) {
      return icmpType == 3 || icmpType == 4 || icmpType == 5 || icmpType == 11 || icmpType == 12;
    }
    if (protocol == ICMPV6) {
      return icmpType >= 0 && icmpType < 128;
    }
    return false;
  }

  private static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  public int version() {
    return version;
  }

  /** Transport protocol (after IPv6 extension headers). */
  public int protocol() {
    return protocol;
  }

  /** Packet length by its header (IPv4 total length; IPv6 40 + payload length). */
  public int length() {
    return length;
  }

  /** Source port for TCP/UDP in a first fragment, else -1. */
  public int srcPort() {
    return srcPort;
  }

  /** Destination port for TCP/UDP in a first fragment, else -1. */
  public int dstPort() {
    return dstPort;
  }

  /** ICMP/ICMPv6 type, else -1. */
  public int icmpType() {
    return icmpType;
  }

  public int icmpCode() {
    return icmpCode;
  }

  /** Whether this is the first (or only) fragment, i.e. it carries the transport header. */
  public boolean firstFragment() {
    return firstFragment;
  }

  /** 4 or 16. */
  public int addressLength() {
    return addressLength;
  }

  /** Offset of the source address in the parsed array. */
  public int srcOffset() {
    return srcOffset;
  }

  /** Offset of the destination address in the parsed array. */
  public int dstOffset() {
    return dstOffset;
  }

  /** The quoted packet of an ICMP error, or null. */
  public IpPacket embedded() {
    return hasEmbedded ? embedded : null;
  }

  /** Whether this packet's source address equals {@code other}'s destination address. */
  public boolean srcEqualsDstOf(IpPacket other) {
    if (addressLength != other.addressLength) {
      return false;
    }
    for (int i = 0; i < addressLength; i++) {
      if (array[srcOffset + i] != other.array[other.dstOffset + i]) {
        return false;
      }
    }
    return true;
  }

  /** The source address as a string (allocates; for logs and tests). */
  public String srcAddress() {
    return format(srcOffset);
  }

  /** The destination address as a string (allocates; for logs and tests). */
  public String dstAddress() {
    return format(dstOffset);
  }

  private String format(int at) {
    try {
      return java.net.InetAddress.getByAddress(
              java.util.Arrays.copyOfRange(array, at, at + addressLength))
          .getHostAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
