package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.util.ArrayList;
import java.util.List;

/** The in-memory twin of {@link LinuxHostNetwork}: remembers the last configuration. */
public final class InMemoryHostNetwork implements HostNetwork {

  /** One {@link #configure} call. */
  public record Configuration(
      IpPrefix ipv4,
      IpPrefix ipv6,
      List<IpPrefix> clientRanges,
      boolean masquerade4,
      boolean masquerade6) {}

  private final List<Configuration> configurations = new ArrayList<>();
  private boolean up;
  private boolean tornDown;

  @Override
  public synchronized void up(String ifName, int mtu) {
    up = true;
  }

  @Override
  public synchronized void configure(
      String ifName,
      IpPrefix ipv4,
      IpPrefix ipv6,
      List<IpPrefix> clientRanges,
      boolean masquerade4,
      boolean masquerade6) {
    configurations.add(
        new Configuration(ipv4, ipv6, List.copyOf(clientRanges), masquerade4, masquerade6));
  }

  @Override
  public synchronized void tearDown(String ifName) {
    tornDown = true;
  }

  public synchronized List<Configuration> configurations() {
    return List.copyOf(configurations);
  }

  public synchronized boolean isUp() {
    return up && !tornDown;
  }
}
