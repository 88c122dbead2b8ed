package dev.gatehouse.protocol;

/** A peer's tunnel addresses (from 100.64.0.0/11 and fd00:2021:1111::/107), stable per peer. */
public record InterfaceAddresses(String ipv4, String ipv6) {

  public InterfaceAddresses {
    Require.text(ipv4, "ipv4");
    Require.text(ipv6, "ipv6");
  }
}
