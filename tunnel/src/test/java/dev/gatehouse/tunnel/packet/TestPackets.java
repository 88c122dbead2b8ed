package dev.gatehouse.tunnel.packet;

import java.nio.ByteBuffer;

/** Builders of IPv4/IPv6 packets for parser and filter tests. */
public final class TestPackets {
  private TestPackets() {}

  public static byte[] v4(String src, String dst, int proto, byte[] l4) {
    ByteBuffer b = ByteBuffer.allocate(20 + l4.length);
    b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + l4.length)).putInt(0);
    b.put((byte) 64).put((byte) proto).putShort((short) 0);
    b.put(addr(src)).put(addr(dst)).put(l4);
    return b.array();
  }

  public static byte[] v6(String src, String dst, int next, byte[] payload) {
    ByteBuffer b = ByteBuffer.allocate(40 + payload.length);
    b.putInt(0x60000000).putShort((short) payload.length).put((byte) next).put((byte) 64);
    b.put(addr(src)).put(addr(dst)).put(payload);
    return b.array();
  }

  public static byte[] ports(int src, int dst, int len) {
    ByteBuffer b = ByteBuffer.allocate(len);
    b.putShort((short) src).putShort((short) dst);
    return b.array();
  }

  public static byte[] icmp(int type, int code, byte[] quoted) {
    ByteBuffer b = ByteBuffer.allocate(8 + quoted.length);
    b.put((byte) type).put((byte) code).putShort((short) 0).putInt(0).put(quoted);
    return b.array();
  }

  static byte[] addr(String s) {
    try {
      return java.net.InetAddress.getByName(s).getAddress();
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
