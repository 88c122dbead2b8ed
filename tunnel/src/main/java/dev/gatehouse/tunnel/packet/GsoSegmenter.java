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

  /** The buffer the segments of the last {@link #segment} call are in. */
  public byte[] buffer() {
    return out;
  }

  /** Offset of segment {@code i} in {@link #buffer()}. */
  public int offset(int i) {
    return offsets[i];
  }

  /** Length of segment {@code i}. */
  public int length(int i) {
    return lengths[i];
  }

  /**
   * Segments the packet {@code in[off, off+len)} described by {@code h}. Returns the number of
   * complete packets now in {@link #buffer()}, or -1 if the input is malformed.
   */
  public int segment(byte[] in, int off, int len, VirtioNetHeader h) {
    if (len < 1 || len > 65535 + IPV6_HEADER) {
      return -1;
    }
    int gso = h.gsoType() & ~VirtioNetHeader.GSO_ECN;
    if (gso == VirtioNetHeader.GSO_NONE) {
      return single(in, off, len, h);
    }
    boolean v6 = gso == VirtioNetHeader.GSO_TCPV6;
    if (!v6 && gso != VirtioNetHeader.GSO_TCPV4) {
      return -1; // UDP fragmentation/segmentation offloads are never enabled
    }
    int version = (in[off] & 0xff) >>> 4;
    int ipHeaderLen = h.csumStart();
    if (v6
        ? version != 6 || ipHeaderLen < IPV6_HEADER
        : version != 4 || ipHeaderLen != (in[off] & 0x0f) * 4 || ipHeaderLen < IPV4_MIN_HEADER) {
      return -1;
    }
    if (h.csumOffset() != TcpHeaders.CHECKSUM || ipHeaderLen + TCP_MIN_HEADER > len) {
      return -1;
    }
    int tcpHeaderLen = TcpHeaders.tcpHeaderLength(in, off + ipHeaderLen);
    int headers = ipHeaderLen + tcpHeaderLen;
    int mss = h.gsoSize();
    if (tcpHeaderLen < TCP_MIN_HEADER || headers > len || headers > MAX_HEADERS || mss < 1) {
      return -1;
    }
    int payload = len - headers;
    int count = Math.max(1, (payload + mss - 1) / mss);
    if (count > MAX_SEGMENTS) {
      return -1;
    }
    int seq = u32(in, off + ipHeaderLen + SEQ);
    int id = u16(in, off + 4);
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int chunk = Math.min(mss, payload - i * mss);
      int segLen = headers + chunk;
      System.arraycopy(in, off, out, pos, headers);
      System.arraycopy(in, off + headers + i * mss, out, pos + headers, chunk);
      if (!v6) {
        TcpHeaders.put16(out, pos + 4, id + i);
      }
      TcpHeaders.setIpLength(out, pos, v6, ipHeaderLen, segLen);
      int tcp = pos + ipHeaderLen;
      TcpHeaders.put32(out, tcp + SEQ, seq + i * mss);
      int flags = out[tcp + FLAGS] & 0xff;
      if (i != count - 1) {
        flags &= ~(FIN | PSH);
      }
      if (i != 0) {
        flags &= ~CWR;
      }
      out[tcp + FLAGS] = (byte) flags;
      TcpHeaders.fillTcpChecksum(out, pos, v6, ipHeaderLen, segLen);
      offsets[i] = pos;
      lengths[i] = segLen;
      pos += segLen;
    }
    return count;
  }

  /** A packet that needs no segmentation: copied, its partial checksum completed if asked. */
  private int single(byte[] in, int off, int len, VirtioNetHeader h) {
    System.arraycopy(in, off, out, 0, len);
    offsets[0] = 0;
    lengths[0] = len;
    if ((h.flags() & VirtioNetHeader.NEEDS_CSUM) == 0) {
      return 1;
    }
    int start = h.csumStart();
    int field = start + h.csumOffset();
    if (start >= len || field + 2 > len) {
      return -1;
    }
    // The field holds the pseudo-header sum; summing over it completes the checksum (RFC 1071).
    // A computed 0 is sent as 0xffff, its ones'-complement twin (0 means "none" in UDP).
    int sum = InternetChecksum.finish(InternetChecksum.add(0, out, start, len - start));
    TcpHeaders.put16(out, field, sum == 0 ? 0xffff : sum);
    return 1;
  }
}
