package dev.gatehouse.client.core.dns;

import dev.gatehouse.tunnel.packet.Checksums;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Queries as a resolver library would send them, for tests. */
public final class DnsTestPackets {

  private DnsTestPackets() {}

  public static final byte[] CLIENT = {100, 64, 0, 2};

  /** A DNS query message (RD set) for {@code name} of {@code type}. */
  public static byte[] query(int id, String name, int type) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    b.write(id >>> 8);
    b.write(id);
    b.write(0x01); // RD
    b.write(0);
    b.writeBytes(new byte[] {0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      byte[] l = label.getBytes(StandardCharsets.US_ASCII);
      b.write(l.length);
      b.writeBytes(l);
    }
    b.write(0);
    b.writeBytes(new byte[] {0, (byte) type, 0, 1});
    return b.toByteArray();
  }

  /** The query framed as IPv4/UDP from {@link #CLIENT}:40000 to the stub. */
  public static byte[] packet(int id, String name, int type) {
    byte[] q = query(id, name, type);
    return UdpPackets.build(CLIENT, 40_000, DnsStub.SENTINEL, 53, q, 0, q.length);
  }

  /** Whether the IPv4 header and UDP checksums of {@code p} are right. */
  public static boolean checksumsValid(byte[] p) {
    return Checksums.ipv4Header(p, 0) == Checksums.word(p, 10)
        && Checksums.ipv4Transport(p, 0, p.length) == Checksums.word(p, 26);
  }

  /** The 4-byte addresses of the A records in a response the stub wrote (after the question). */
  public static java.util.List<byte[]> answers(byte[] dns) {
    DnsMessage.Query q = DnsMessage.parseQuery(asQuery(dns), 0, dns.length);
    int p = 12 + q.question().length;
    java.util.List<byte[]> out = new java.util.ArrayList<>();
    for (int i = 0; i < Checksums.word(dns, 6); i++) {
      out.add(java.util.Arrays.copyOfRange(dns, p + 12, p + 16));
      p += 16;
    }
    return out;
  }

  /** The response code. */
  public static int rcode(byte[] dns) {
    return dns[3] & 0xf;
  }

  private static byte[] asQuery(byte[] dns) {
    byte[] c = dns.clone();
    c[2] &= 0x7f;
    return c;
  }
}
