package dev.gatehouse.client.core.dns;

import dev.gatehouse.tunnel.packet.Checksums;

/**
 * The IPv4/UDP framing of DNS over the TUN interface: {@link #payloadOffset} finds the UDP payload
 * of a packet to the stub, {@link #build} frames an answer with valid IPv4 and UDP checksums. Pure.
 */
public final class UdpPackets {

  private UdpPackets() {}

  static final int IPV4_HEADER = 20;
  static final int UDP_HEADER = 8;

  /**
   * The offset of the UDP payload of an unfragmented IPv4/UDP packet in {@code b[off, off+len)}
   * whose IP total length and UDP length agree with {@code len}, or -1.
   */
  public static int payloadOffset(byte[] b, int off, int len) {
    if (len < IPV4_HEADER + UDP_HEADER || ((b[off] >>> 4) & 0xf) != 4) {
      return -1;
    }
    int ihl = (b[off] & 0x0f) * 4;
    int total = Checksums.word(b, off + 2);
    boolean fragment = (Checksums.word(b, off + 6) & 0x3fff) != 0; // MF or an offset
    if (ihl < IPV4_HEADER
        || total > len
        || total < ihl + UDP_HEADER
        || fragment
        || (b[off + 9] & 0xff) != 17) {
      return -1;
    }
    int udpLength = Checksums.word(b, off + ihl + 4);
    if (udpLength < UDP_HEADER || udpLength > total - ihl) {
      return -1;
    }
    return off + ihl + UDP_HEADER;
  }

  /** The UDP payload length of a packet {@link #payloadOffset} accepted. */
  public static int payloadLength(byte[] b, int off) {
    int ihl = (b[off] & 0x0f) * 4;
    return Checksums.word(b, off + ihl + 4) - UDP_HEADER;
  }

  /** An IPv4/UDP packet from {@code src:srcPort} to {@code dst:dstPort} carrying the payload. */
  public static byte[] build(
      byte[] src, int srcPort, byte[] dst, int dstPort, byte[] payload, int payloadOff, int n) {
    int total = IPV4_HEADER + UDP_HEADER + n;
    byte[] p = new byte[total];
    p[0] = 0x45;
    Checksums.putWord(p, 2, total);
    Checksums.putWord(p, 6, 0x4000); // don't fragment
    p[8] = 64;
    p[9] = 17;
    System.arraycopy(src, 0, p, 12, 4);
    System.arraycopy(dst, 0, p, 16, 4);
    Checksums.putWord(p, 10, Checksums.ipv4Header(p, 0));
    Checksums.putWord(p, 20, srcPort);
    Checksums.putWord(p, 22, dstPort);
    Checksums.putWord(p, 24, UDP_HEADER + n);
    System.arraycopy(payload, payloadOff, p, 28, n);
    Checksums.putWord(p, 26, Checksums.ipv4Transport(p, 0, total));
    return p;
  }
}
