package dev.gatehouse.tunnel.wireguard;

import java.net.InetAddress;

/** An IPv4 or IPv6 prefix such as {@code 10.0.0.0/24} or {@code fd00::/64}. */
public record IpPrefix(InetAddress address, int length) {

  public IpPrefix {
    int max = address.getAddress().length * 8;
    if (length < 0 || length > max) {
      throw new IllegalArgumentException("prefix length " + length + " out of range 0.." + max);
    }
  }

  /** Parses {@code addr[/len]}; a missing length means a host prefix. Literals only, no DNS. */
  public static IpPrefix parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    String addr = slash < 0 ? s : s.substring(0, slash);
    InetAddress a;
    try {
      a = InetAddress.ofLiteral(addr); // never resolves names
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("not an IP literal: " + addr, e);
    }
    int len;
    try {
      len = slash < 0 ? a.getAddress().length * 8 : Integer.parseInt(s.substring(slash + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad prefix length in " + text, e);
    }
    return new IpPrefix(a, len);
  }

  @Override
  public String toString() {
    return address.getHostAddress() + "/" + length;
  }
}
