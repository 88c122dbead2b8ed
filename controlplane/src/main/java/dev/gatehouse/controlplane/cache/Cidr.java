package dev.gatehouse.controlplane.cache;

import java.net.InetAddress;
import java.util.Arrays;

/** An IPv4 or IPv6 network, e.g. {@code 10.0.0.0/8}; a bare address is a /32 or /128. */
public record Cidr(byte[] network, int prefix) {

  /** Parses a literal; never resolves names. Throws IllegalArgumentException when invalid. */
  public static Cidr parse(String text) {
    int slash = text.indexOf('/');
    String addr = slash < 0 ? text.strip() : text.substring(0, slash).strip();
    byte[] bytes = literal(addr);
    int prefix = slash < 0 ? bytes.length * 8 : Integer.parseInt(text.substring(slash + 1).strip());
    if (prefix < 0 || prefix > bytes.length * 8) {
      throw new IllegalArgumentException("bad prefix in " + text);
    }
    return new Cidr(bytes, prefix);
  }

  /** The bytes of an IP literal (4 or 16); throws IllegalArgumentException for anything else. */
  public static byte[] literal(String address) {
    return InetAddress.ofLiteral(address).getAddress();
  }

  /** Whether {@code address} (4 or 16 bytes) is inside this network. */
  public boolean contains(byte[] address) {
    if (address == null || address.length != network.length) {
      return false;
    }
    int full = prefix / 8;
    for (int i = 0; i < full; i++) {
      if (address[i] != network[i]) {
        return false;
      }
    }
    int bits = prefix % 8;
    if (bits == 0) {
      return true;
    }
    int mask = (0xff << (8 - bits)) & 0xff;
    return (address[full] & mask) == (network[full] & mask);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Cidr c && prefix == c.prefix && Arrays.equals(network, c.network);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(network) * 31 + prefix;
  }

  @Override
  public String toString() {
    try {
      return InetAddress.getByAddress(network).getHostAddress() + "/" + prefix;
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
