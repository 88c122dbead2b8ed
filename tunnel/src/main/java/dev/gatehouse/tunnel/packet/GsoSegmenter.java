package dev.gatehouse.tunnel.packet;

import static dev.gatehouse.tunnel.packet.TcpHeaders.CWR;
import static dev.gatehouse.tunnel.packet.TcpHeaders.FIN;
import static dev.gatehouse.tunnel.packet.TcpHeaders.FLAGS;
import static dev.gatehouse.tunnel.packet.TcpHeaders.IPV4_MIN_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.IPV6_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.PSH;
import static dev.gatehouse.tunnel.packet.TcpHeaders.SEQ;
import static dev.gatehouse.tunnel.packet.TcpHeaders.TCP_MIN_HEADER;
import static dev.gatehouse.tunnel.packet.TcpHeaders.u16;
import static dev.gatehouse.tunnel.packet.TcpHeaders.u32;

/**
 * Turns what a TUN device with offloads hands us — a TCP super-packet of up to 64 KiB (TSO) or a
 * packet whose checksum is still partial — into ordinary, complete IP packets, as a NIC would:
 * headers copied per segment, IPv4 total length, identification and header checksum or IPv6 payload
 * length fixed, TCP sequence numbers advanced, FIN/PSH kept on the last segment and CWR on the
 * first, and every TCP checksum computed in full.
 *
 * <p>One instance owns one output buffer and is used by one thread. Malformed input (lengths that
 * disagree with the header, unsupported GSO types, too many segments) yields -1: the caller drops
 * and counts it; nothing is thrown.
 */
public final class GsoSegmenter {
  /** Most segments one super-packet may produce (64 KiB at an MSS of 536 is 123). */
  public static final int MAX_SEGMENTS = 128;

  private static final int MAX_HEADERS = 256;

  private final byte[] out = new byte[65536 + MAX_SEGMENTS * MAX_HEADERS];
  private final int[] offsets = new int[MAX_SEGMENTS];
  private final int[] lengths = new int[MAX_SEGMENTS];

  // What the last prepare() found; emit() reads the input again, which must not change meanwhile.
  private byte[] in;
  private int inOff;
  private int count;
  private boolean single;
  private boolean v6;
  private int headers;
  private int ipHeaderLen;
  private int mss;
  private int payload;
  private int seq;
  private int id;
  private int singleLen;
  private int csumStart; // single packets: where a partial checksum starts, -1 if complete
  private int csumField;

  /** The buffer the segments of the last {@link #segment} call are in. */
  public byte[] buffer() {
    return out;
  }

  /** Offset of segment {@code i} in {@link #buffer()}. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Length of segment {@code i} of the last {@link #segment} or {@link #prepare}. */
  public int length(int i) {
    if (single) {
      return singleLen;
    }
    return headers + Math.min(mss, payload - i * mss);
  }

  /**
   * Segments the packet {@code in[off, off+len)} described by {@code h}. Returns the number of
   * complete packets now in {@link #buffer()}, or -1 if the input is malformed.
   */
  public int segment(byte[] in, int off, int len, VirtioNetHeader h) {
    int n = prepare(in, off, len, h);
    int pos = 0;
    for (int i = 0; i < n; i++) {
      offsets[i] = pos;
      lengths[i] = emit(i, out, pos);
      pos += lengths[i];
    }
    return n;
  }

  /**
   * Checks the packet {@code in[off, off+len)} described by {@code h} and returns how many complete
   * packets it makes (-1 if malformed), without building them: {@link #emit} writes each where the
   * caller wants it, one copy in all. {@code in} must stay unchanged until the last emit.
   */
  public int prepare(byte[] in, int off, int len, VirtioNetHeader h) {
    this.in = in;
    this.inOff = off;
    this.count = -1;
    if (len < 1 || len > 65535 + IPV6_HEADER) {
      return -1;
    }
    int gso = h.gsoType() & ~VirtioNetHeader.GSO_ECN;
    if (gso == VirtioNetHeader.GSO_NONE) {
      return prepareSingle(len, h);
    }
    single = false;
    v6 = gso == VirtioNetHeader.GSO_TCPV6;
    if (!v6 && gso != VirtioNetHeader.GSO_TCPV4) {
      return -1; // UDP fragmentation/segmentation offloads are never enabled
    }
    int version = (in[off] & 0xff) >>> 4;
    ipHeaderLen = h.csumStart();
    if (v6
        ? version != 6 || ipHeaderLen < IPV6_HEADER
        : version != 4 || ipHeaderLen != (in[off] & 0x0f) * 4 || ipHeaderLen < IPV4_MIN_HEADER) {
      return -1;
    }
    if (h.csumOffset() != TcpHeaders.CHECKSUM || ipHeaderLen + TCP_MIN_HEADER > len) {
      return -1;
    }
    int tcpHeaderLen = TcpHeaders.tcpHeaderLength(in, off + ipHeaderLen);
    headers = ipHeaderLen + tcpHeaderLen;
    mss = h.gsoSize();
    if (tcpHeaderLen < TCP_MIN_HEADER || headers > len || headers > MAX_HEADERS || mss < 1) {
      return -1;
    }
    payload = len - headers;
    int n = Math.max(1, (payload + mss - 1) / mss);
    if (n > MAX_SEGMENTS) {
      return -1;
    }
    seq = u32(in, off + ipHeaderLen + SEQ);
    id = u16(in, off + 4);
    count = n;
    return n;
  }

  /**
   * Writes packet {@code i} of the last {@link #prepare} (0 ≤ i < its count) at {@code
   * dst[dstOff...]}, which must have {@link #length length(i)} bytes of room; returns that length.
   */
  public int emit(int i, byte[] dst, int dstOff) {
    if (i < 0 || i >= count) {
      throw new IndexOutOfBoundsException("segment " + i + " of " + count);
    }
    if (single) {
      return emitSingle(dst, dstOff);
    }
    int chunk = Math.min(mss, payload - i * mss);
    int segLen = headers + chunk;
    System.arraycopy(in, inOff, dst, dstOff, headers);
    System.arraycopy(in, inOff + headers + i * mss, dst, dstOff + headers, chunk);
    if (!v6) {
      TcpHeaders.put16(dst, dstOff + 4, id + i);
    }
    TcpHeaders.setIpLength(dst, dstOff, v6, ipHeaderLen, segLen);
    int tcp = dstOff + ipHeaderLen;
    TcpHeaders.put32(dst, tcp + SEQ, seq + i * mss);
    int flags = dst[tcp + FLAGS] & 0xff;
    if (i != count - 1) {
      flags &= ~(FIN | PSH);
    }
    if (i != 0) {
      flags &= ~CWR;
    }
    dst[tcp + FLAGS] = (byte) flags;
    TcpHeaders.fillTcpChecksum(dst, dstOff, v6, ipHeaderLen, segLen);
    return segLen;
  }

  /** A packet that needs no segmentation, its partial checksum to complete if asked. */
  private int prepareSingle(int len, VirtioNetHeader h) {
    single = true;
    singleLen = len;
    csumStart = -1;
    if ((h.flags() & VirtioNetHeader.NEEDS_CSUM) != 0) {
      int start = h.csumStart();
      int field = start + h.csumOffset();
      if (start >= len || field + 2 > len) {
        return -1;
      }
      csumStart = start;
      csumField = field;
    }
    count = 1;
    return 1;
  }

  private int emitSingle(byte[] dst, int dstOff) {
    int len = singleLen;
    System.arraycopy(in, inOff, dst, dstOff, len);
    if (csumStart >= 0) {
      // The field holds the pseudo-header sum; summing over it completes the checksum (RFC 1071).
      // A computed 0 is sent as 0xffff, its ones'-complement twin (0 means "none" in UDP).
      int start = dstOff + csumStart;
      int sum = InternetChecksum.finish(InternetChecksum.add(0, dst, start, len - csumStart));
      TcpHeaders.put16(dst, dstOff + csumField, sum == 0 ? 0xffff : sum);
    }
    return len;
  }
}
