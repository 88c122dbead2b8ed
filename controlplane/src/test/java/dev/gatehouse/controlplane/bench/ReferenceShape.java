package dev.gatehouse.controlplane.bench;

import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;

/**
 * Firezone's reference client shape (1,000 policies, 500 resources, 100 memberships) and gateway
 * shape (10,000 pairs × 10 flows). Every call builds fresh objects (fresh ids, strings and rows) so
 * that caches built from different calls share nothing by accident.
 */
final class ReferenceShape {

  static final int POLICIES = 1_000;
  static final int RESOURCES = 500;
  static final int MEMBERSHIPS = 100;
  static final int SITES = 4;
  static final int PAIRS = 10_000;
  static final int FLOWS_PER_PAIR = 10;

  private static final String[] FILTERS = {
    "[]",
    "[{\"protocol\": \"tcp\", \"ports\": [\"443\"]}]",
    "[{\"protocol\": \"tcp\", \"ports\": [\"80\", \"443\"]}, {\"protocol\": \"icmp\"}]",
    "[{\"protocol\": \"udp\", \"ports\": [\"53\"]}, {\"protocol\": \"tcp\", \"ports\": [\"53\"]}]",
    "[{\"protocol\": \"tcp\", \"ports\": [\"5432\"]}]",
  };
  private static final String CONDITIONS =
      "[{\"property\": \"remote_ip\", \"operator\": \"is_in_cidr\", \"values\": [\"10.0.0.0/8\", \"192.168.0.0/16\"]}]";

  private ReferenceShape() {}

  /** A client snapshot of the reference shape; 10% of policies carry a CIDR condition. */
  static ClientSnapshot client(long seed) {
    Random random = new Random(seed);
    UUID account = UUID.randomUUID();
    UUID actor = UUID.randomUUID();
    Row.Client client =
        new Row.Client(
            UUID.randomUUID(),
            account,
            actor,
            "laptop-" + seed,
            "pk" + seed,
            "1.4.0",
            "10.1.2.3",
            Instant.EPOCH,
            null);
    List<UUID> sites = new ArrayList<>();
    for (int i = 0; i < SITES; i++) {
      sites.add(UUID.randomUUID());
    }
    List<Row.Membership> memberships = new ArrayList<>();
    for (int i = 0; i < MEMBERSHIPS; i++) {
      memberships.add(new Row.Membership(UUID.randomUUID(), account, actor, UUID.randomUUID()));
    }
    List<Row.Resource> resources = new ArrayList<>();
    List<Row.ResourceConnection> connections = new ArrayList<>();
    for (int i = 0; i < RESOURCES; i++) {
      UUID id = UUID.randomUUID();
      String type = i % 3 == 0 ? "dns" : i % 3 == 1 ? "ip" : "cidr";
      String address =
          switch (type) {
            case "dns" -> "svc-" + i + ".ns-" + (i % 17) + ".svc.cluster.local";
            case "ip" -> "10." + (i >> 8) + "." + (i & 0xff) + "." + (1 + random.nextInt(250));
            default -> "10." + (100 + (i >> 8)) + "." + (i & 0xff) + ".0/24";
          };
      resources.add(
          new Row.Resource(
              id,
              account,
              "resource-" + i,
              type,
              new String(address.toCharArray()),
              "dual",
              new String(FILTERS[i % FILTERS.length].toCharArray()),
              null));
      connections.add(new Row.ResourceConnection(id, sites.get(i % SITES), account));
    }
    List<Row.Policy> policies = new ArrayList<>();
    for (int i = 0; i < POLICIES; i++) {
      policies.add(
          new Row.Policy(
              UUID.randomUUID(),
              account,
              memberships.get(i % MEMBERSHIPS).groupId(),
              resources.get(i % RESOURCES).id(),
              i % 10 == 0 ? new String(CONDITIONS.toCharArray()) : "[]",
              null,
              null,
              null));
    }
    return new ClientSnapshot(client, null, memberships, policies, resources, connections);
  }

  /**
   * The flows of one gateway: {@link #PAIRS} (client, resource) pairs × {@link #FLOWS_PER_PAIR}.
   */
  static List<Row.Flow> gatewayFlows(UUID gateway, Instant expiresFrom) {
    UUID account = UUID.randomUUID();
    List<UUID> clients = new ArrayList<>();
    for (int i = 0; i < 1_000; i++) {
      clients.add(UUID.randomUUID());
    }
    List<UUID> resources = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      resources.add(UUID.randomUUID());
    }
    List<Row.Flow> flows = new ArrayList<>(PAIRS * FLOWS_PER_PAIR);
    for (int p = 0; p < PAIRS; p++) {
      UUID client = clients.get(p / 10);
      UUID resource = resources.get(p % 10);
      for (int f = 0; f < FLOWS_PER_PAIR; f++) {
        flows.add(
            new Row.Flow(
                UUID.randomUUID(),
                account,
                client,
                gateway,
                resource,
                UUID.randomUUID(),
                expiresFrom.plusSeconds(60L * (f + 1) + p)));
      }
    }
    return flows;
  }
}
