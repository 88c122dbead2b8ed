package dev.gatehouse.tunnel.packet;

/** Offsets, flags and big-endian field access shared by TCP segmentation and coalescing. */
final class TcpHeaders {
  static final int FIN = 0x01;
  static final int SYN = 0x02;
  static final int RST = 0x04;
  static final int PSH = 0x08;
  static final int ACK = 0x10;
  static final int URG = 0x20;
  static final int ECE = 0x40;
  static final int CWR = 0x80;

  /** Offset of the sequence number, acknowledgement number, flags and checksum in a TCP header. */
  static final int SEQ = 4;

  static final int ACK_NUMBER = 8;
  static final int FLAGS = 13;
  static final int CHECKSUM = 16;

  static final int IPV4_MIN_HEADER = 20;
  static final int IPV6_HEADER = 40;
  static final int TCP_MIN_HEADER = 20;
  static final int PROTO_TCP = 6;

  private TcpHeaders() {}

  static int u16(byte[] b, int i) {
    return ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
  }

  static void put16(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 8);
    b[i + 1] = (byte) v;
  }

  static int u32(byte[] b, int i) {
    return ((b[i] & 0xff) << 24)
        | ((b[i + 1] & 0xff) << 16)
        | ((b[i + 2] & 0xff) << 8)
        | (b[i + 3] & 0xff);
  }

  static void put32(byte[] b, int i, int v) {
    b[i] = (byte) (v >>> 24);
    b[i + 1] = (byte) (v >>> 16);
    b[i + 2] = (byte) (v >>> 8);
    b[i + 3] = (byte) v;
  }

  /** TCP header length from its data-offset field. */
  static int tcpHeaderLength(byte[] b, int tcpOff) {
    return ((b[tcpOff + 12] & 0xff) >>> 4) * 4;
  }

  /** Sets the IP length field (IPv4 total length + header checksum, or IPv6 payload length). */
  static void setIpLength(byte[] b, int ipOff, boolean v6, int ipHeaderLen, int totalLen) {
    if (v6) {
      put16(b, ipOff + 4, totalLen - IPV6_HEADER);
    } else {
      put16(b, ipOff + 2, totalLen);
      put16(b, ipOff + 10, InternetChecksum.ipv4Header(b, ipOff, ipHeaderLen));
    }
  }

  /** Offset of the source address in the IP header, and its length. */
  static int srcOffset(boolean v6) {
    return v6 ? 8 : 12;
  }

  static int addrLength(boolean v6) {
    return v6 ? 16 : 4;
  }

  /** The unfolded TCP pseudo-header sum for a segment of {@code tcpLen} bytes. */
  static long pseudoHeader(byte[] b, int ipOff, boolean v6, int tcpLen) {
    return InternetChecksum.pseudoHeader(
        b, ipOff + srcOffset(v6), addrLength(v6), PROTO_TCP, tcpLen);
  }

  /** Computes and stores the full TCP checksum of the segment {@code b[ipOff, ipOff+totalLen)}. */
  static void fillTcpChecksum(byte[] b, int ipOff, boolean v6, int ipHeaderLen, int totalLen) {
    int tcp = ipOff + ipHeaderLen;
    put16(b, tcp + CHECKSUM, 0);
    long sum = pseudoHeader(b, ipOff, v6, totalLen - ipHeaderLen);
    put16(
        b,
        tcp + CHECKSUM,
        InternetChecksum.finish(InternetChecksum.add(sum, b, tcp, totalLen - ipHeaderLen)));
  }

  /** Whether the TCP checksum of the segment {@code b[ipOff, ipOff+totalLen)} verifies. */
  static boolean tcpChecksumValid(byte[] b, int ipOff, boolean v6, int ipHeaderLen, int totalLen) {
    int tcp = ipOff + ipHeaderLen;
    long sum = pseudoHeader(b, ipOff, v6, totalLen - ipHeaderLen);
    return InternetChecksum.fold(InternetChecksum.add(sum, b, tcp, totalLen - ipHeaderLen))
        == 0xffff;
  }
}
