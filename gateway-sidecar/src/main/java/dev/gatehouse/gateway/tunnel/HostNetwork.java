package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.io.IOException;
import java.util.List;

/**
 * The kernel side of a kernel-mode gateway: the TUN interface's addresses and routes, IP
 * forwarding, and masquerade of client traffic towards resources. {@link LinuxHostNetwork} runs
 * {@code ip}, {@code nft} and writes {@code /proc/sys}; {@link InMemoryHostNetwork} records what
 * was asked. Calls may block on a short subprocess and throw {@link IOException} with its output.
 */
public interface HostNetwork {

  /** Sets the MTU and brings the link up. */
  void up(String ifName, int mtu) throws IOException;

  /**
   * Gives the interface the gateway's tunnel addresses, routes the client ranges into it, enables
   * forwarding and (re)installs masquerade for traffic from the interface to anywhere else.
   *
   * @param clientRanges prefixes of client tunnel addresses, routed into the interface
   */
  void configure(
      String ifName,
      IpPrefix ipv4,
      IpPrefix ipv6,
      List<IpPrefix> clientRanges,
      boolean masquerade4,
      boolean masquerade6)
      throws IOException;

  /** Removes the masquerade rules this gateway installed (the interface goes with the TUN). */
  void tearDown(String ifName);
}
