package dev.gatehouse.client.tunnel;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.io.IOException;

/**
 * Addresses and routes of the TUN interface, as the kernel sees them. {@link LinuxInterface} runs
 * {@code ip}; {@link InMemoryInterface} records what was asked. Calls may block on a short
 * subprocess; they throw {@link IOException} with the command's output when the kernel refuses.
 */
public interface InterfaceConfigurator {

  /** Sets the MTU and brings the link up. */
  void up(String ifName, int mtu) throws IOException;

  /** Replaces the interface's addresses with these (host prefixes). */
  void setAddresses(String ifName, IpPrefix ipv4, IpPrefix ipv6) throws IOException;

  /** Routes {@code prefix} into the interface (replacing an existing route). */
  void addRoute(String ifName, IpPrefix prefix) throws IOException;

  /** Removes a route added by {@link #addRoute}; absent routes are not an error. */
  void removeRoute(String ifName, IpPrefix prefix) throws IOException;
}
