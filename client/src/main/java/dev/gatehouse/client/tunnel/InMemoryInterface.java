package dev.gatehouse.client.tunnel;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** The in-memory twin of {@link LinuxInterface}: remembers addresses and routes. Thread-safe. */
public final class InMemoryInterface implements InterfaceConfigurator {
  private final Set<IpPrefix> routes = new LinkedHashSet<>();
  private final List<IpPrefix> addresses = new ArrayList<>();
  private boolean up;

  @Override
  public synchronized void up(String ifName, int mtu) {
    up = true;
  }

  @Override
  public synchronized void setAddresses(String ifName, IpPrefix ipv4, IpPrefix ipv6) {
    addresses.clear();
    if (ipv4 != null) {
      addresses.add(ipv4);
    }
    if (ipv6 != null) {
      addresses.add(ipv6);
    }
  }

  @Override
  public synchronized void addRoute(String ifName, IpPrefix prefix) {
    routes.add(prefix);
  }

  @Override
  public synchronized void removeRoute(String ifName, IpPrefix prefix) {
    routes.remove(prefix);
  }

  public synchronized Set<IpPrefix> routes() {
    return Set.copyOf(routes);
  }

  public synchronized List<IpPrefix> addresses() {
    return List.copyOf(addresses);
  }

  public synchronized boolean isUp() {
    return up;
  }
}
