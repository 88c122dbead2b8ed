package dev.gatehouse.controlplane.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.GatewayDelta;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Change.Op;
import dev.gatehouse.controlplane.cdc.ChangeSink;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.testing.Fixtures;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Every table's inserts, updates and deletes reach the CDC stream and the right cache deltas. */
class CdcTablesIT {

  private final DatabaseConfig db = TestDatabase.migrated();
  private final PgReplicationSource source = TestDatabase.uniqueSource();
  private ReplicationConsumer consumer;

  private void start(ChangeSink sink) throws Exception {
    consumer =
        new ReplicationConsumer(
                source,
                sink,
                new ReplicationMetrics(Duration.ofSeconds(60)),
                InstantSource.system(),
                Duration.ofSeconds(1))
            .start();
    await().atMost(Duration.ofSeconds(20)).until(source::slotActive);
  }

  @AfterEach
  void stop() throws Exception {
    if (consumer != null) {
      consumer.close();
    }
    await().atMost(Duration.ofSeconds(10)).until(() -> !source.slotActive());
    source.dropSlotAndPublication();
  }

  private static List<String> opsFor(List<Change<?>> changes, Table table, UUID id) {
    return changes.stream()
        .filter(c -> c.table() == table && id.equals(idOf(c.row())))
        .map(c -> c.op().name())
        .toList();
  }

  private static UUID idOf(Row row) {
    return switch (row) {
      case Row.Account r -> r.id();
      case Row.Actor r -> r.id();
      case Row.Group r -> r.id();
      case Row.Membership r -> r.id();
      case Row.Client r -> r.id();
      case Row.Token r -> r.id();
      case Row.Site r -> r.id();
      case Row.Gateway r -> r.id();
      case Row.Resource r -> r.id();
      case Row.ResourceConnection r -> r.resourceId();
      case Row.Policy r -> r.id();
      case Row.Flow r -> r.id();
      case null -> null;
    };
  }

  @Test
  void everyTableStreamsInsertUpdateDeleteWithSoftDeleteMeaning() throws Exception {
    List<Change<?>> changes = new CopyOnWriteArrayList<>();
    start(changes::add);
    Instant later = Instant.now().plusSeconds(3600);
    try (Fixtures f = new Fixtures(db)) {
      UUID actor = f.actor();
      f.exec("UPDATE actors SET name = 'renamed' WHERE id = ?", actor);
      UUID group = f.group();
      f.exec("UPDATE groups SET name = 'renamed' WHERE id = ?", group);
      UUID group2 = f.group();
      UUID membership = f.membership(actor, group);
      f.exec("UPDATE memberships SET group_id = ? WHERE id = ?", group2, membership);
      UUID client = f.client(actor, "1.4.0");
      f.exec("UPDATE clients SET last_seen_version = '1.4.1' WHERE id = ?", client);
      UUID site = f.site();
      f.exec("UPDATE sites SET name = 'renamed' WHERE id = ?", site);
      UUID token = UUID.randomUUID();
      f.exec(
          "INSERT INTO tokens (id, account_id, type, site_id, secret_hash) VALUES (?, ?, 'site', ?, ?)",
          token,
          f.account,
          site,
          OperatorSyncRepository.hashTokenSecret("s3cret"));
      f.exec("UPDATE tokens SET expires_at = ? WHERE id = ?", later, token);
      UUID gateway = f.gateway(site);
      f.exec("UPDATE gateways SET last_seen_version = '1.4.2' WHERE id = ?", gateway);
      UUID resource = f.resource("10.1.0.1");
      f.exec(
          "UPDATE resources SET filters = '[{\"protocol\":\"tcp\",\"ports\":[\"22\"]}]' WHERE id = ?",
          resource);
      f.connect(resource, site);
      UUID policy = f.policy(group2, resource);
      f.exec("UPDATE policies SET description = 'd' WHERE id = ?", policy);
      f.exec("UPDATE policies SET disabled_at = now() WHERE id = ?", policy);
      f.exec("UPDATE policies SET disabled_at = NULL WHERE id = ?", policy);
      UUID flow = f.flow(client, gateway, resource, policy, later);
      f.exec("UPDATE flows SET expires_at = ? WHERE id = ?", later.plusSeconds(60), flow);
      f.exec("DELETE FROM flows WHERE id = ?", flow);
      f.exec("UPDATE policies SET deleted_at = now() WHERE id = ?", policy);
      f.exec("DELETE FROM resource_connections WHERE resource_id = ?", resource);
      f.exec("UPDATE resources SET deleted_at = now() WHERE id = ?", resource);
      f.exec("UPDATE gateways SET deleted_at = now() WHERE id = ?", gateway);
      f.exec("UPDATE tokens SET deleted_at = now() WHERE id = ?", token);
      f.exec("UPDATE sites SET deleted_at = now() WHERE id = ?", site);
      f.exec("UPDATE clients SET deleted_at = now() WHERE id = ?", client);
      f.exec("DELETE FROM memberships WHERE id = ?", membership);
      f.exec("UPDATE groups SET deleted_at = now() WHERE id = ?", group);
      f.exec("UPDATE actors SET deleted_at = now() WHERE id = ?", actor);
      f.exec("UPDATE accounts SET name = 'renamed' WHERE id = ?", f.account);
      f.exec("UPDATE accounts SET disabled_at = now() WHERE id = ?", f.account);

      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> opsFor(changes, Table.ACCOUNTS, f.account).size() == 3);
      assertThat(opsFor(changes, Table.ACCOUNTS, f.account))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.ACTORS, actor))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.GROUPS, group))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.MEMBERSHIPS, membership))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.CLIENTS, client))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.TOKENS, token))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.SITES, site)).containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.GATEWAYS, gateway))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.RESOURCES, resource))
          .containsExactly("INSERT", "UPDATE", "DELETE");
      assertThat(opsFor(changes, Table.RESOURCE_CONNECTIONS, resource))
          .containsExactly("INSERT", "DELETE");
      assertThat(opsFor(changes, Table.POLICIES, policy))
          .as("insert, update, disable = delete, enable = insert, soft delete = delete")
          .containsExactly("INSERT", "UPDATE", "DELETE", "INSERT", "DELETE");
      assertThat(opsFor(changes, Table.FLOWS, flow)).containsExactly("INSERT", "UPDATE", "DELETE");

      Change<?> membershipUpdate =
          changes.stream()
              .filter(c -> c.table() == Table.MEMBERSHIPS && c.op() == Op.UPDATE)
              .findFirst()
              .orElseThrow();
      assertThat(((Row.Membership) membershipUpdate.oldRow()).groupId())
          .as("old values present")
          .isEqualTo(group);
      assertThat(((Row.Membership) membershipUpdate.newRow()).groupId()).isEqualTo(group2);
      Change<?> tokenInsert =
          changes.stream()
              .filter(c -> c.table() == Table.TOKENS && c.op() == Op.INSERT)
              .findFirst()
              .orElseThrow();
      assertThat(((Row.Token) tokenInsert.newRow()).secretHashHex())
          .hasSize(64)
          .doesNotContain("s3cret");
      assertThat(changes).allSatisfy(c -> assertThat(c.commitLsn()).isPositive());
      for (int i = 1; i < changes.size(); i++) {
        assertThat(changes.get(i).isAfter(changes.get(i - 1).commitLsn(), changes.get(i - 1).lsn()))
            .as("stream positions increase")
            .isTrue();
      }
    }
  }

  @Test
  void databaseChangesReachTheRightClientAndGatewayDeltas() throws Exception {
    try (Fixtures f = new Fixtures(db)) {
      UUID actor = f.actor();
      UUID g1 = f.group();
      UUID membership = f.membership(actor, g1);
      UUID client = f.client(actor, "1.4.0");
      UUID s1 = f.site();
      UUID s2 = f.site();
      UUID gateway = f.gateway(s1);
      UUID r1 = f.resource("10.2.0.1");
      f.connect(r1, s1);
      UUID p1 = f.policy(g1, r1);
      Instant inAnHour = Instant.now().plusSeconds(3600);
      f.flow(client, gateway, r1, p1, inAnHour);

      CacheRepository repo = new CacheRepository(db);
      Instant now = Instant.now();
      ClientCache clientCache =
          ClientCache.fromSnapshot(repo.loadClient(client, null).orElseThrow(), null, now);
      assertThat(clientCache.isConnectable(r1)).isTrue();
      GatewayCache gatewayCache =
          GatewayCache.fromFlows(
              gateway,
              Version.parse("1.4.0"),
              repo.loadGatewayFlows(gateway, now),
              now,
              FlowReauthorizer.NONE);
      assertThat(gatewayCache.pairCount()).isEqualTo(1);
      CacheOwner owner = new CacheOwner(clientCache, gatewayCache, repo, InstantSource.system());
      start(owner);

      // A new resource with a policy: the cache asks for the resource, then announces it.
      UUID r2 = f.resource("10.2.0.2");
      f.connect(r2, s1);
      UUID p2 = f.policy(g1, r2);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().contains("created " + r2 + " 10.2.0.2"));
      // Address change is pushed; a move to a second site is a delete then a create.
      f.exec("UPDATE resources SET address = '10.2.0.3' WHERE id = ?", r2);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().contains("created " + r2 + " 10.2.0.3"));
      int before = owner.clientDeltas.size();
      f.connect(r2, s2);
      await().atMost(Duration.ofSeconds(20)).until(() -> owner.clientDeltas.size() >= before + 2);
      assertThat(owner.clientDeltaSummary().subList(before, before + 2))
          .containsExactly("deleted " + r2, "created " + r2 + " 10.2.0.3");
      // Disabling the policy withdraws the resource; enabling brings it back.
      f.exec("UPDATE policies SET disabled_at = now() WHERE id = ?", p2);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().getLast().equals("deleted " + r2));
      f.exec("UPDATE policies SET disabled_at = NULL WHERE id = ?", p2);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().getLast().equals("created " + r2 + " 10.2.0.3"));

      // Gateway: a second flow, its expiry moving, then a resource delete rejecting the pair.
      UUID f2 = f.flow(client, gateway, r1, p1, inAnHour.plusSeconds(60));
      f.exec("UPDATE flows SET expires_at = ? WHERE id = ?", inAnHour.plusSeconds(120), f2);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  owner.gatewayDeltas.contains(
                      new GatewayDelta.AccessAuthorizationExpiryUpdated(
                          client,
                          r1,
                          inAnHour
                              .plusSeconds(120)
                              .truncatedTo(java.time.temporal.ChronoUnit.MILLIS))));
      f.exec(
          "UPDATE resources SET filters = '[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]' WHERE id = ?",
          r1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(
              () ->
                  owner.gatewayDeltas.stream()
                      .anyMatch(d -> d instanceof GatewayDelta.ResourceUpdated));
      f.exec("UPDATE resources SET deleted_at = now() WHERE id = ?", r1);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.gatewayDeltas.contains(new GatewayDelta.RejectAccess(client, r1)));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().contains("deleted " + r1));
      assertThat(gatewayCache.pairCount()).isZero();

      // Leaving the group withdraws what it granted.
      f.exec("DELETE FROM memberships WHERE id = ?", membership);
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> owner.clientDeltaSummary().getLast().equals("deleted " + r2));
      assertThat(clientCache.connectable()).isEmpty();
      assertThat(clientCache.droppedChanges()).isZero();
    }
  }

  @Test
  void lastFlowDeletedIsReauthorizedThroughAnotherPolicyThenRejected() throws Exception {
    try (Fixtures f = new Fixtures(db)) {
      UUID actor = f.actor();
      UUID g1 = f.group();
      UUID g2 = f.group();
      f.membership(actor, g1);
      f.membership(actor, g2);
      UUID client = f.client(actor, "1.4.0");
      UUID site = f.site();
      UUID gateway = f.gateway(site);
      UUID resource = f.resource("10.4.0.1");
      f.connect(resource, site);
      UUID p1 = f.policy(g1, resource);
      UUID p2 = f.policy(g2, resource);
      Instant expiry =
          Instant.now().plusSeconds(3600).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
      f.flow(client, gateway, resource, p1, expiry);
      CacheRepository repo = new CacheRepository(db);
      Instant now = Instant.now();
      GatewayCache gatewayCache =
          GatewayCache.fromFlows(
              gateway,
              Version.parse("1.4.0"),
              repo.loadGatewayFlows(gateway, now),
              now,
              new DatabaseFlowReauthorizer(db));
      CacheOwner owner = new CacheOwner(null, gatewayCache, repo, InstantSource.system());
      start(owner);

      f.exec("UPDATE policies SET deleted_at = now() WHERE id = ?", p1);
      await().atMost(Duration.ofSeconds(20)).until(() -> !owner.gatewayDeltas.isEmpty());
      assertThat(owner.gatewayDeltas)
          .as("p2 still grants access: the flow is replaced, not rejected")
          .containsExactly(
              new GatewayDelta.AccessAuthorizationExpiryUpdated(client, resource, expiry));
      assertThat(gatewayCache.pairCount()).isEqualTo(1);

      f.exec("UPDATE policies SET deleted_at = now() WHERE id = ?", p2);
      await().atMost(Duration.ofSeconds(20)).until(() -> owner.gatewayDeltas.size() == 2);
      assertThat(owner.gatewayDeltas.get(1))
          .isEqualTo(new GatewayDelta.RejectAccess(client, resource));
      assertThat(gatewayCache.pairCount()).isZero();
    }
  }

  @Test
  void idleConsumerLetsTheSlotReleaseWalWrittenForOtherTables() throws Exception {
    start(change -> {});
    String after;
    try (java.sql.Connection c = db.connect();
        java.sql.Statement st = c.createStatement()) {
      st.execute("CREATE TABLE IF NOT EXISTS it_unpublished (x int)");
      st.execute("INSERT INTO it_unpublished SELECT generate_series(1, 1000)");
      try (java.sql.ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()::text")) {
        rs.next();
        after = rs.getString(1);
      }
    }
    String lsn = after;
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () -> {
              try (java.sql.Connection c = db.connect();
                  java.sql.PreparedStatement ps =
                      c.prepareStatement(
                          "SELECT confirmed_flush_lsn >= ?::pg_lsn FROM pg_replication_slots WHERE slot_name = ?")) {
                ps.setString(1, lsn);
                ps.setString(2, source.slotName());
                try (java.sql.ResultSet rs = ps.executeQuery()) {
                  return rs.next() && rs.getBoolean(1);
                }
              }
            });
  }
}
