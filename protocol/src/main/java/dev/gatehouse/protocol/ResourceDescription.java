package dev.gatehouse.protocol;

import java.util.List;
import java.util.UUID;

/**
 * A resource as a client or gateway sees it.
 *
 * @param type {@code ip}, {@code cidr}, {@code dns} or {@code internet}
 * @param address already adapted to the peer's version; empty for internet resources
 * @param ipStack {@code dual}, {@code ipv4_only} or {@code ipv6_only}
 * @param filters allowed traffic; empty means everything
 * @param siteIds the sites that serve it (Firezone's {@code gateway_groups})
 */
public record ResourceDescription(
    UUID id,
    String type,
    String address,
    String ipStack,
    List<Filter> filters,
    List<UUID> siteIds) {

  public ResourceDescription {
    Require.nonNull(id, "id");
    Require.text(type, "type");
    address = address == null ? "" : address;
    ipStack = ipStack == null ? "dual" : ipStack;
    filters = Require.list(filters);
    siteIds = Require.list(siteIds);
  }
}
