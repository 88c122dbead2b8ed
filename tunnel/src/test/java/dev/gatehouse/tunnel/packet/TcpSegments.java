package dev.gatehouse.tunnel.packet;

import java.nio.ByteBuffer;

/** Builds TCP/IP packets with valid checksums, and TSO super-packets as the kernel hands them. */
public final class TcpSegments {
  static final byte[] V4_SRC = {10, 77, 0, 2};
  static final byte[] V4_DST = {(byte) 172, 31, 2, 2};
  static final byte[] V6_SRC = TestPackets.addr("fd00::2");
  static final byte[] V6_DST = TestPackets.addr("fd00:1::2");

  /** The TCP ACK flag, for callers outside the package. */
  public static final int ACK = TcpHeaders.ACK;

  private TcpSegments() {}

  /** A complete TCP segment (checksums filled) with {@code options} bytes of NOP options. */
  static byte[] packet(boolean v6, int seq, int flags, int options, byte[] payload, int id) {
    int ipH = v6 ? 40 : 20;
    int tcpH = 20 + options;
    int total = ipH + tcpH + payload.length;
    ByteBuffer b = ByteBuffer.allocate(total);
    if (v6) {
      b.putInt(0x60000000).putShort((short) (total - 40)).put((byte) 6).put((byte) 64);
      b.put(V6_SRC).put(V6_DST);
    } else {
      b.put((byte) 0x45).put((byte) 0).putShort((short) total).putShort((short) id);
      b.putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0);
      b.put(V4_SRC).put(V4_DST);
    }
    b.putShort((short) 40000).putShort((short) 5201).putInt(seq).putInt(0x12345678);
    b.put((byte) ((tcpH / 4) << 4)).put((byte) flags).putShort((short) 500).putInt(0);
    for (int i = 0; i < options; i++) {
      b.put((byte) 1);
    }
    b.put(payload);
    byte[] p = b.array();
    if (!v6) {
      TcpHeaders.put16(p, 10, InternetChecksum.ipv4Header(p, 0, 20));
    }
    TcpHeaders.fillTcpChecksum(p, 0, v6, ipH, total);
    return p;
  }

  /**
   * A TSO super-packet as the kernel writes it to a TUN with offloads: one header, the whole
   * payload, lengths of the whole, and a TCP checksum field holding the folded pseudo-header sum.
   */
  public static byte[] superPacket(boolean v6, int seq, int flags, int options, byte[] payload) {
    byte[] p = packet(v6, seq, flags, options, payload, 7);
    int ipH = v6 ? 40 : 20;
    long pseudo = TcpHeaders.pseudoHeader(p, 0, v6, p.length - ipH);
    TcpHeaders.put16(p, ipH + 16, InternetChecksum.fold(pseudo));
    return p;
  }

  public static VirtioNetHeader tso(boolean v6, int options, int mss) {
    int ipH = v6 ? 40 : 20;
    return new VirtioNetHeader(
        VirtioNetHeader.NEEDS_CSUM,
        v6 ? VirtioNetHeader.GSO_TCPV6 : VirtioNetHeader.GSO_TCPV4,
        ipH + 20 + options,
        mss,
        ipH,
        16);
  }

  static boolean ipv4HeaderValid(byte[] p, int off) {
    return InternetChecksum.fold(InternetChecksum.add(0, p, off, 20)) == 0xffff;
  }
}
