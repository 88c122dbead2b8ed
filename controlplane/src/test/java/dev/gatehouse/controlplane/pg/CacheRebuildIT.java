package dev.gatehouse.controlplane.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository.PolicySpec;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository.ResourceSpec;
import dev.gatehouse.controlplane.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * After a random sequence of writes (operator sync, memberships, flows), the caches maintained by
 * CDC equal caches rebuilt from the database.
 */
class CacheRebuildIT {

  @Test
  void cdcMaintainedCachesEqualCachesRebuiltFromTheDatabase() throws Exception {
    DatabaseConfig db = TestDatabase.migrated();
    PgReplicationSource source = TestDatabase.uniqueSource();
    OperatorSyncRepository sync = new OperatorSyncRepository(db);
    CacheRepository repo = new CacheRepository(db);
    long seed = Long.getLong("gatehouse.it.seed", System.nanoTime());
    Random random = new Random(seed);
    try (Fixtures f = new Fixtures(db)) {
      UUID actor = f.actor();
      List<UUID> groups = List.of(f.group(), f.group(), f.group());
      List<UUID> memberships =
          new ArrayList<>(
              List.of(f.membership(actor, groups.get(0)), f.membership(actor, groups.get(1))));
      UUID client = f.client(actor, "1.4.0");
      List<UUID> sites = List.of(f.site(), f.site());
      UUID gateway = f.gateway(sites.get(0));
      List<UUID> resources = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        UUID r = UUID.randomUUID();
        resources.add(r);
        sync.upsertResource(
            new ResourceSpec(r, f.account, "r" + i, "ip", "10.3.0." + i, "dual", "[]"),
            Set.of(sites.get(i % 2)));
      }
      List<UUID> policies = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        UUID p = UUID.randomUUID();
        policies.add(p);
        sync.upsertPolicy(
            new PolicySpec(
                p, f.account, groups.get(i % 3), resources.get(i % 6), "[]", null, false));
      }
      Instant t0 = Instant.now();
      ClientCache clientCache =
          ClientCache.fromSnapshot(repo.loadClient(client, null).orElseThrow(), null, t0);
      GatewayCache gatewayCache =
          GatewayCache.fromFlows(
              gateway,
              Version.parse("1.4.0"),
              repo.loadGatewayFlows(gateway, t0),
              t0,
              FlowReauthorizer.NONE);
      CacheOwner owner = new CacheOwner(clientCache, gatewayCache, repo, InstantSource.system());
      ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(60));
      try (ReplicationConsumer consumer =
          new ReplicationConsumer(
                  source, owner, metrics, InstantSource.system(), Duration.ofSeconds(1))
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(source::slotActive);
        List<UUID> flows = new ArrayList<>();
        for (int step = 0; step < 150; step++) {
          UUID r = resources.get(random.nextInt(resources.size()));
          UUID p = policies.get(random.nextInt(policies.size()));
          int[] kinds = {0, 0, 1, 2, 3, 3, 3, 4, 5, 6, 6, 6, 8, 9};
          switch (kinds[random.nextInt(kinds.length)]) {
            case 0 ->
                sync.upsertResource(
                    new ResourceSpec(
                        r, f.account, "r", "ip", "10.3.1." + random.nextInt(50), "dual", "[]"),
                    random.nextBoolean()
                        ? Set.of(sites.get(random.nextInt(2)))
                        : Set.copyOf(sites));
            case 1 ->
                sync.upsertResource(
                    new ResourceSpec(
                        r,
                        f.account,
                        "r",
                        "ip",
                        "10.3.1.1",
                        "dual",
                        "[{\"protocol\":\"tcp\",\"ports\":[\""
                            + (1 + random.nextInt(1000))
                            + "\"]}]"),
                    Set.of(sites.get(0)));
            case 2 -> sync.softDeleteResource(r);
            case 3 ->
                sync.upsertPolicy(
                    new PolicySpec(
                        p,
                        f.account,
                        groups.get(random.nextInt(3)),
                        r,
                        "[]",
                        null,
                        random.nextInt(3) == 0));
            case 4 -> sync.softDeletePolicy(p);
            case 5 -> {
              if (memberships.size() > 1 && random.nextInt(3) == 0) {
                f.exec(
                    "DELETE FROM memberships WHERE id = ?",
                    memberships.remove(random.nextInt(memberships.size())));
              } else {
                UUID g = groups.get(random.nextInt(3));
                UUID m = UUID.randomUUID();
                if (f.exec(
                        "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)"
                            + " ON CONFLICT (actor_id, group_id) DO NOTHING",
                        m,
                        f.account,
                        actor,
                        g)
                    == 1) {
                  memberships.add(m);
                }
              }
            }
            case 6 -> {
              if (f.exec("UPDATE policies SET id = id WHERE id = ? AND deleted_at IS NULL", p)
                  == 1) {
                UUID flowId = UUID.randomUUID();
                f.exec(
                    "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at)"
                        + " SELECT ?, ?, ?, ?, resource_id, id, ? FROM policies WHERE id = ?",
                    flowId,
                    f.account,
                    client,
                    gateway,
                    Instant.now().plusSeconds(600 + random.nextInt(600)),
                    p);
                flows.add(flowId);
              }
            }
            case 8 -> {
              if (!flows.isEmpty()) {
                f.exec(
                    "UPDATE flows SET expires_at = ? WHERE id = ?",
                    Instant.now().plusSeconds(1200 + random.nextInt(600)),
                    flows.get(random.nextInt(flows.size())));
              }
            }
            default -> {
              if (!flows.isEmpty()) {
                f.exec(
                    "DELETE FROM flows WHERE id = ?", flows.remove(random.nextInt(flows.size())));
              }
            }
          }
        }
        // A marker write: once it is applied, everything before it is too.
        f.exec("UPDATE accounts SET name = 'rebuild-done' WHERE id = ?", f.account);
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () ->
                    owner.changes.stream()
                        .anyMatch(
                            c ->
                                c.table() == Table.ACCOUNTS
                                    && c.newRow() instanceof Row.Account a
                                    && a.name().equals("rebuild-done")));
      }
      Instant now = Instant.now();
      ClientCache rebuilt =
          ClientCache.fromSnapshot(repo.loadClient(client, null).orElseThrow(), null, now);
      GatewayCache rebuiltGateway =
          GatewayCache.fromFlows(
              gateway,
              Version.parse("1.4.0"),
              repo.loadGatewayFlows(gateway, now),
              now,
              FlowReauthorizer.NONE);
      synchronized (owner) {
        assertThat(clientCache.describe())
            .as("client cache, seed " + seed)
            .isEqualTo(rebuilt.describe());
        assertThat(gatewayCache.describe())
            .as("gateway cache, seed " + seed)
            .isEqualTo(rebuiltGateway.describe());
      }
      assertThat(owner.clientDeltas).as("the run exercised the client cache").isNotEmpty();
      assertThat(owner.gatewayDeltas).as("the run exercised the gateway cache").isNotEmpty();
      System.out.printf(
          "rebuild IT seed %d: %d changes, %d client deltas, %d gateway deltas, %d policies, %d pairs%n",
          seed,
          owner.changes.size(),
          owner.clientDeltas.size(),
          owner.gatewayDeltas.size(),
          clientCache.policyCount(),
          gatewayCache.pairCount());
    } finally {
      await().atMost(Duration.ofSeconds(10)).until(() -> !source.slotActive());
      source.dropSlotAndPublication();
    }
  }
}
