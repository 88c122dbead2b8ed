package dev.gatehouse.tunnel.wireguard;

import java.nio.ByteBuffer;

/** Builds small IP packets for tests. */
public final class Packets {
  private Packets() {}

  /** An IPv4/UDP packet from src to dst with {@code payload} bytes of filler. */
  public static byte[] ipv4Udp(int[] src, int[] dst, int srcPort, int dstPort, int payload) {
    int total = 20 + 8 + payload;
    ByteBuffer b = ByteBuffer.allocate(total);
    b.put((byte) 0x45).put((byte) 0).putShort((short) total).putInt(0);
    b.put((byte) 64).put((byte) 17).putShort((short) 0);
    for (int x : src) b.put((byte) x);
    for (int x : dst) b.put((byte) x);
    b.putShort((short) srcPort).putShort((short) dstPort).putShort((short) (8 + payload));
    b.putShort((short) 0);
    for (int i = 0; i < payload; i++) b.put((byte) i);
    return b.array();
  }
}
