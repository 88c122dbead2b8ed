package dev.gatehouse.controlplane.cache;

import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.List;

/**
 * Everything a {@link ClientCache} holds, as loaded from the database for one client: its row, its
 * actor's memberships, the policies (live) of those groups, the resources those policies point to
 * (soft-deleted ones included, so that an undelete can be applied), and their site connections.
 */
public record ClientSnapshot(
    Row.Client client,
    Instant tokenExpiresAt,
    List<Row.Membership> memberships,
    List<Row.Policy> policies,
    List<Row.Resource> resources,
    List<Row.ResourceConnection> connections) {

  public ClientSnapshot {
    memberships = List.copyOf(memberships);
    policies = List.copyOf(policies);
    resources = List.copyOf(resources);
    connections = List.copyOf(connections);
  }
}
