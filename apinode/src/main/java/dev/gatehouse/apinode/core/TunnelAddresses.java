package dev.gatehouse.apinode.core;

import dev.gatehouse.protocol.InterfaceAddresses;

/**
 * Tunnel addresses from Firezone's ranges: the n-th peer gets {@code 100.64.0.0 + n} and {@code
 * fd00:2021:1111:: + n} (both ranges hold 2^21 addresses). {@code n} comes from a database sequence
 * and is stable per client or gateway.
 */
public final class TunnelAddresses {

  /** Addresses in each range. */
  public static final int SIZE = 1 << 21;

  private TunnelAddresses() {}

  public static InterfaceAddresses of(int n) {
    if (n <= 0 || n >= SIZE - 1) {
      throw new IllegalArgumentException("address index " + n + " outside 1.." + (SIZE - 2));
    }
    int v4 = (100 << 24) | (64 << 16) | n;
    String ipv4 =
        ((v4 >>> 24) & 0xff)
            + "."
            + ((v4 >>> 16) & 0xff)
            + "."
            + ((v4 >>> 8) & 0xff)
            + "."
            + (v4 & 0xff);
    // fd00:2021:1111:0:0:0:HHHH:LLLL with the 21-bit index in the last 32 bits.
    String ipv6 =
        "fd00:2021:1111::" + Integer.toHexString(n >>> 16) + ":" + Integer.toHexString(n & 0xffff);
    return new InterfaceAddresses(ipv4, ipv6);
  }
}
