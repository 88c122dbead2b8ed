package dev.gatehouse.controlplane.cache;

import java.util.List;
import java.util.UUID;

/**
 * A resource as pushed to a client or gateway: built on demand from a cache's compact columns,
 * never stored. {@code address} is already adapted to the peer's version; it is empty for internet
 * resources.
 */
public record ResourceView(
    UUID id,
    ResourceType type,
    String address,
    IpStack ipStack,
    List<Filters.Filter> filters,
    List<UUID> siteIds) {

  public ResourceView {
    filters = List.copyOf(filters);
    siteIds = List.copyOf(siteIds);
  }
}
