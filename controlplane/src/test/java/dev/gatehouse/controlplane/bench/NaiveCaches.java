package dev.gatehouse.controlplane.bench;

import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cdc.Row;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The baseline the slim caches are compared with: full domain records (every column, as the CDC
 * stream or a repository delivers them: UUID objects, Strings, Instants) in HashMaps keyed by UUID,
 * like a straightforward Java port of Firezone's pre-#10058 channel state. JSON columns stay as
 * their text (no parsed trees), which makes this baseline smaller than a typical one.
 */
final class NaiveCaches {

  /** A resource with its sites, as a domain object. */
  record Resource(Row.Resource row, List<Row.Site> sites) {}

  record Client(
      Row.Client client,
      Map<UUID, Row.Policy> policies,
      Map<UUID, Resource> resources,
      Map<UUID, Row.Membership> memberships,
      List<Resource> connectable) {}

  record Pair(UUID clientId, UUID resourceId) {}

  private NaiveCaches() {}

  static Client client(ClientSnapshot s) {
    Map<UUID, Row.Membership> memberships = new HashMap<>();
    for (Row.Membership m : s.memberships()) {
      memberships.put(m.groupId(), m);
    }
    Map<UUID, List<Row.Site>> sites = new HashMap<>();
    for (Row.ResourceConnection rc : s.connections()) {
      sites
          .computeIfAbsent(rc.resourceId(), k -> new ArrayList<>())
          .add(
              new Row.Site(
                  rc.siteId(),
                  rc.accountId(),
                  "site-" + rc.siteId().toString().substring(0, 8),
                  null));
    }
    Map<UUID, Resource> resources = new HashMap<>();
    for (Row.Resource r : s.resources()) {
      resources.put(r.id(), new Resource(r, sites.getOrDefault(r.id(), List.of())));
    }
    Map<UUID, Row.Policy> policies = new HashMap<>();
    for (Row.Policy p : s.policies()) {
      policies.put(p.id(), p);
    }
    return new Client(
        s.client(), policies, resources, memberships, new ArrayList<>(resources.values()));
  }

  static Map<Pair, Map<UUID, Row.Flow>> gateway(List<Row.Flow> flows) {
    Map<Pair, Map<UUID, Row.Flow>> out = new HashMap<>();
    for (Row.Flow f : flows) {
      out.computeIfAbsent(new Pair(f.clientId(), f.resourceId()), k -> new HashMap<>())
          .put(f.id(), f);
    }
    return out;
  }
}
