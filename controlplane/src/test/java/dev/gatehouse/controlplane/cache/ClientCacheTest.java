package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.cache.ClientDelta.HydrationRequired;
import dev.gatehouse.controlplane.cache.ClientDelta.ResourceCreatedOrUpdated;
import dev.gatehouse.controlplane.cache.ClientDelta.ResourceDeleted;
import dev.gatehouse.controlplane.cache.ClientDelta.ResourceRequired;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientCacheTest {

  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z"); // a Wednesday
  static final UUID ACCOUNT = UUID.randomUUID();
  static final UUID ACTOR = UUID.randomUUID();
  static final UUID CLIENT = UUID.randomUUID();
  static final UUID G1 = UUID.randomUUID();
  static final UUID G2 = UUID.randomUUID();
  static final UUID S1 = UUID.randomUUID();
  static final UUID S2 = UUID.randomUUID();
  static final UUID R1 = UUID.randomUUID();
  static final UUID R2 = UUID.randomUUID();
  static final UUID P1 = UUID.randomUUID();
  static final Row.Membership M1 = new Row.Membership(UUID.randomUUID(), ACCOUNT, ACTOR, G1);
  static final Row.Resource RES1 = resource(R1, "ip", "10.0.0.1");
  static final Row.Policy POL1 = policy(P1, G1, R1, "[]", null);

  private final Changes changes = new Changes();

  static Row.Client client(String version, boolean verified) {
    return new Row.Client(
        CLIENT, ACCOUNT, ACTOR, "laptop", "pk", version, "192.0.2.10", verified ? NOW : null, null);
  }

  static Row.Resource resource(UUID id, String type, String address) {
    return new Row.Resource(
        id,
        ACCOUNT,
        "r",
        type,
        address,
        "dual",
        "[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]",
        null);
  }

  static Row.Policy policy(
      UUID id, UUID group, UUID resource, String conditions, Instant expiresAt) {
    return new Row.Policy(id, ACCOUNT, group, resource, conditions, expiresAt, null, null);
  }

  static ClientCache cache(
      Row.Client client,
      List<Row.Policy> policies,
      List<Row.Resource> resources,
      List<Row.ResourceConnection> connections) {
    return ClientCache.fromSnapshot(
        new ClientSnapshot(client, null, List.of(M1), policies, resources, connections), null, NOW);
  }

  static ClientCache standard() {
    return cache(
        client("1.4.0", true),
        List.of(POL1),
        List.of(RES1),
        List.of(new Row.ResourceConnection(R1, S1, ACCOUNT)));
  }

  static List<UUID> connectableIds(ClientCache cache) {
    return cache.connectable().stream().map(ResourceView::id).toList();
  }

  @Test
  void snapshotMakesServedResourcesWithAConformingPolicyConnectable() {
    ClientCache cache = standard();
    assertThat(cache.connectable())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.id()).isEqualTo(R1);
              assertThat(v.address()).isEqualTo("10.0.0.1");
              assertThat(v.siteIds()).containsExactly(S1);
              assertThat(v.filters()).containsExactly(new Filters.Filter("tcp", 443, 443));
            });
    assertThat(cache.policyCount()).isEqualTo(1);
    assertThat(cache.membershipCount()).isEqualTo(1);
  }

  @Test
  void resourceWithoutSiteIsNotConnectable() {
    ClientCache cache = cache(client("1.4.0", true), List.of(POL1), List.of(RES1), List.of());
    assertThat(cache.connectable()).isEmpty();
  }

  @Test
  void policyForUncachedResourceAsksForItThenAddsIt() {
    ClientCache cache = standard();
    Row.Policy p2 = policy(UUID.randomUUID(), G1, R2, "[]", null);
    assertThat(cache.apply(changes.insert(p2), NOW)).containsExactly(new ResourceRequired(R2));
    List<ClientDelta> deltas =
        cache.loadResource(resource(R2, "dns", "db.internal"), List.of(S2), NOW);
    assertThat(deltas)
        .singleElement()
        .isInstanceOfSatisfying(
            ResourceCreatedOrUpdated.class,
            d -> assertThat(d.resource().address()).isEqualTo("db.internal"));
    assertThat(connectableIds(cache)).containsExactlyInAnyOrder(R1, R2);
  }

  @Test
  void policyOfAnotherGroupIsIgnored() {
    ClientCache cache = standard();
    assertThat(cache.apply(changes.insert(policy(UUID.randomUUID(), G2, R2, "[]", null)), NOW))
        .isEmpty();
    assertThat(cache.policyCount()).isEqualTo(1);
  }

  @Test
  void deletingTheOnlyPolicyRemovesTheResource() {
    ClientCache cache = standard();
    assertThat(cache.apply(changes.delete(POL1), NOW)).containsExactly(new ResourceDeleted(R1));
    assertThat(cache.resourceCount()).isZero();
    assertThat(cache.apply(changes.insert(POL1), NOW)).containsExactly(new ResourceRequired(R1));
  }

  @Test
  void aPolicyInsertSeenAgainAfterAHydrationIsCountedOnce() {
    // The snapshot already holds POL1; its INSERT replays from the replication stream.
    ClientCache cache = standard();
    assertThat(cache.apply(changes.insert(POL1), NOW)).isEmpty();
    assertThat(cache.describe().get("resource " + R1)).contains("policies=1");
    assertThat(cache.apply(changes.delete(POL1), NOW))
        .as("its one policy gone, the resource goes")
        .containsExactly(new ResourceDeleted(R1));
  }

  @Test
  void aReplayedMoveOfAPolicyLeavesNoCountBehind() {
    ClientCache cache = policyOnR1WithR2Known();
    Row.Policy onR2 = policy(P1, G1, R2, "[]", null);
    cache.apply(changes.update(POL1, onR2), NOW);
    cache.loadResource(resource(R2, "ip", "10.0.0.2"), List.of(S1), NOW);
    // The same policy inserted again (a replay) while the cache holds it on R2.
    cache.apply(changes.insert(onR2), NOW);
    assertThat(cache.describe().get("resource " + R2)).contains("policies=1");
    assertThat(cache.apply(changes.delete(onR2), NOW)).containsExactly(new ResourceDeleted(R2));
    assertThat(cache.resourceCount()).isZero();
  }

  @Test
  void secondPolicyKeepsResourceWhenFirstIsDeleted() {
    ClientCache cache = standard();
    Row.Policy p2 = policy(UUID.randomUUID(), G1, R1, "[]", null);
    assertThat(cache.apply(changes.insert(p2), NOW)).isEmpty();
    assertThat(cache.apply(changes.delete(POL1), NOW)).isEmpty();
    assertThat(connectableIds(cache)).containsExactly(R1);
  }

  @Test
  void policyMovedToAnotherResource() {
    ClientCache cache = policyOnR1WithR2Known();
    Row.Policy p2 = policy(UUID.randomUUID(), G1, R2, "[]", null);
    assertThat(cache.apply(changes.insert(p2), NOW))
        .as("R2 had no policy in the snapshot, so it was not kept")
        .containsExactly(new ResourceRequired(R2));
    cache.loadResource(resource(R2, "ip", "10.0.0.2"), List.of(S1), NOW);
    List<ClientDelta> deltas =
        cache.apply(changes.update(POL1, policy(P1, G1, R2, "[]", null)), NOW);
    assertThat(deltas).containsExactly(new ResourceDeleted(R1));
    assertThat(connectableIds(cache)).containsExactly(R2);
  }

  @Test
  void resourceMovingBetweenSitesIsReportedRemovedThenAdded() {
    ClientCache cache = standard();
    List<ClientDelta> added =
        cache.apply(changes.insert(new Row.ResourceConnection(R1, S2, ACCOUNT)), NOW);
    assertThat(added).hasSize(2);
    assertThat(added.get(0)).isEqualTo(new ResourceDeleted(R1));
    assertThat(((ResourceCreatedOrUpdated) added.get(1)).resource().siteIds())
        .containsExactlyInAnyOrder(S1, S2);

    List<ClientDelta> removed =
        cache.apply(changes.delete(new Row.ResourceConnection(R1, S1, ACCOUNT)), NOW);
    assertThat(removed.get(0)).isEqualTo(new ResourceDeleted(R1));
    assertThat(((ResourceCreatedOrUpdated) removed.get(1)).resource().siteIds())
        .containsExactly(S2);

    assertThat(cache.apply(changes.delete(new Row.ResourceConnection(R1, S2, ACCOUNT)), NOW))
        .containsExactly(new ResourceDeleted(R1));
    assertThat(cache.apply(changes.insert(new Row.ResourceConnection(R1, S1, ACCOUNT)), NOW))
        .singleElement()
        .isInstanceOf(ResourceCreatedOrUpdated.class);
  }

  @Test
  void resourceUpdatesDeletesAndUndeletesArePushed() {
    ClientCache cache = standard();
    Row.Resource moved = resource(R1, "ip", "10.0.0.9");
    assertThat(cache.apply(changes.update(RES1, moved), NOW))
        .singleElement()
        .isInstanceOfSatisfying(
            ResourceCreatedOrUpdated.class,
            d -> assertThat(d.resource().address()).isEqualTo("10.0.0.9"));
    assertThat(cache.apply(changes.update(moved, moved), NOW)).as("no-op update").isEmpty();
    assertThat(cache.apply(changes.delete(moved), NOW)).containsExactly(new ResourceDeleted(R1));
    assertThat(cache.apply(changes.insert(moved), NOW))
        .singleElement()
        .isInstanceOf(ResourceCreatedOrUpdated.class);
  }

  @Test
  void leavingAGroupRemovesItsResourcesAndJoiningAsksForHydration() {
    ClientCache cache = standard();
    assertThat(cache.apply(changes.delete(M1), NOW)).containsExactly(new ResourceDeleted(R1));
    assertThat(cache.policyCount()).isZero();
    Row.Membership m2 = new Row.Membership(UUID.randomUUID(), ACCOUNT, ACTOR, G2);
    assertThat(cache.apply(changes.insert(m2), NOW))
        .singleElement()
        .isInstanceOf(HydrationRequired.class);
    Row.Membership other = new Row.Membership(UUID.randomUUID(), ACCOUNT, UUID.randomUUID(), G1);
    assertThat(cache.apply(changes.insert(other), NOW)).as("another actor's membership").isEmpty();
  }

  @Test
  void timeWindowConditionOpensAndCloses() {
    String weekdays =
        "[{\"property\":\"current_utc_datetime\",\"operator\":\"is_in_day_of_week_time_ranges\","
            + "\"timezone\":\"Europe/Berlin\",\"values\":[\"WED 09:00-12:00\"]}]";
    ClientCache cache =
        cache(
            client("1.4.0", true),
            List.of(policy(P1, G1, R1, weekdays, null)),
            List.of(RES1),
            List.of(new Row.ResourceConnection(R1, S1, ACCOUNT)));
    assertThat(connectableIds(cache)).as("10:00 UTC = 11:00 Berlin").containsExactly(R1);
    assertThat(cache.recompute(NOW.plusSeconds(3600)))
        .as("12:00 Berlin")
        .containsExactly(new ResourceDeleted(R1));
    assertThat(cache.recompute(NOW.plusSeconds(7 * 86400)))
        .singleElement()
        .isInstanceOf(ResourceCreatedOrUpdated.class);
  }

  @Test
  void versionGatesInternetResourcesAndLegacyWildcards() {
    UUID internet = UUID.randomUUID();
    UUID wildcard = UUID.randomUUID();
    Row.Resource inet =
        new Row.Resource(internet, ACCOUNT, "internet", "internet", null, "dual", "[]", null);
    Row.Resource dns = resource(wildcard, "dns", "**.corp.example");
    ClientCache cache =
        cache(
            client("1.1.9", true),
            List.of(
                policy(UUID.randomUUID(), G1, internet, "[]", null),
                policy(UUID.randomUUID(), G1, wildcard, "[]", null)),
            List.of(inet, dns),
            List.of(
                new Row.ResourceConnection(internet, S1, ACCOUNT),
                new Row.ResourceConnection(wildcard, S1, ACCOUNT)));
    assertThat(cache.connectable())
        .singleElement()
        .satisfies(
            v -> {
              assertThat(v.id()).isEqualTo(wildcard);
              assertThat(v.address()).isEqualTo("*.corp.example");
            });
    List<ClientDelta> upgraded =
        cache.apply(changes.update(client("1.1.9", true), client("1.3.0", true)), NOW);
    assertThat(upgraded)
        .extracting(d -> d.getClass().getSimpleName())
        .containsExactly("ResourceCreatedOrUpdated");
    assertThat(connectableIds(cache)).containsExactlyInAnyOrder(internet, wildcard);
    assertThat(cache.connectable())
        .filteredOn(v -> v.id().equals(wildcard))
        .singleElement()
        .extracting(ResourceView::address)
        .isEqualTo("**.corp.example");
  }

  @Test
  void authorizeReturnsLongestLastingConformingPolicyCappedByToken() {
    UUID shortPolicy = UUID.randomUUID();
    UUID longPolicy = UUID.randomUUID();
    ClientCache cache =
        cache(
            client("1.4.0", true),
            List.of(
                policy(shortPolicy, G1, R1, "[]", NOW.plusSeconds(60)),
                policy(longPolicy, G1, R1, "[]", NOW.plusSeconds(600))),
            List.of(RES1),
            List.of(new Row.ResourceConnection(R1, S1, ACCOUNT)));
    ClientContext ctx =
        new ClientContext(new byte[] {(byte) 192, 0, 2, 10}, true, Version.parse("1.4.0"), null);
    assertThat(cache.authorize(R1, ctx, NOW))
        .isEqualTo(new Authorization.Allowed(R1, longPolicy, M1.id(), NOW.plusSeconds(600)));
    ClientContext capped =
        new ClientContext(ctx.remoteIp(), true, ctx.version(), NOW.plusSeconds(120));
    assertThat(cache.authorize(R1, capped, NOW))
        .isEqualTo(new Authorization.Allowed(R1, longPolicy, M1.id(), NOW.plusSeconds(120)));
    assertThat(cache.authorize(R1, ctx, NOW.plusSeconds(601)))
        .isEqualTo(new Authorization.Forbidden(R1, List.of("expires_at")));
    assertThat(cache.authorize(UUID.randomUUID(), ctx, NOW))
        .isInstanceOf(Authorization.NotFound.class);
  }

  @Test
  void authorizeReportsViolatedConditions() {
    String conditions =
        "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"10.0.0.0/8\"]},"
            + "{\"property\":\"client_verified\",\"operator\":\"is\",\"values\":[\"true\"]}]";
    ClientCache cache =
        cache(
            client("1.4.0", false),
            List.of(policy(P1, G1, R1, conditions, null)),
            List.of(RES1),
            List.of(new Row.ResourceConnection(R1, S1, ACCOUNT)));
    assertThat(cache.connectable()).isEmpty();
    ClientContext outside =
        new ClientContext(new byte[] {(byte) 192, 0, 2, 10}, false, Version.parse("1.4.0"), null);
    assertThat(cache.authorize(R1, outside, NOW))
        .isEqualTo(new Authorization.Forbidden(R1, List.of("remote_ip", "client_verified")));
    ClientContext inside =
        new ClientContext(new byte[] {10, 1, 2, 3}, true, Version.parse("1.4.0"), null);
    assertThat(cache.authorize(R1, inside, NOW)).isInstanceOf(Authorization.Allowed.class);
    assertThat(cache.updateContext(inside, NOW))
        .singleElement()
        .isInstanceOf(ResourceCreatedOrUpdated.class);
  }

  @Test
  void duplicateAndOutOfOrderChangesAreDroppedAndCounted() {
    ClientCache cache = standard();
    Change<Row.Policy> delete = changes.delete(POL1);
    Change<Row.Policy> earlier =
        new Change<>(
            delete.table(),
            delete.op(),
            delete.lsn() - 1,
            delete.commitLsn() - 1,
            delete.commitTime(),
            POL1,
            null);
    assertThat(cache.apply(delete, NOW)).containsExactly(new ResourceDeleted(R1));
    assertThat(cache.apply(delete, NOW)).isEmpty();
    assertThat(cache.apply(changes.insert(POL1), NOW)).isNotEmpty();
    assertThat(cache.apply(earlier, NOW)).isEmpty();
    assertThat(cache.droppedChanges()).isEqualTo(2);
  }

  @Test
  void laterTransactionWithLowerRecordLsnIsNotDropped() {
    // T1 wrote at LSN 100 but committed after T2, which wrote at LSN 200: stream order is by
    // commit.
    ClientCache cache = standard();
    Change<Row.Policy> t2 =
        new Change<>(
            dev.gatehouse.controlplane.cdc.Table.POLICIES,
            Change.Op.INSERT,
            200,
            300,
            NOW,
            null,
            policy(UUID.randomUUID(), G1, R1, "[]", null));
    Change<Row.Policy> t1 =
        new Change<>(
            dev.gatehouse.controlplane.cdc.Table.POLICIES,
            Change.Op.DELETE,
            100,
            400,
            NOW,
            POL1,
            null);
    cache.apply(t2, NOW);
    cache.apply(t1, NOW);
    assertThat(cache.droppedChanges()).isZero();
    assertThat(cache.policyCount()).isEqualTo(1);
  }

  @Test
  void hydrationReportsTheDifference() {
    ClientCache cache = standard();
    Row.Membership m2 = new Row.Membership(UUID.randomUUID(), ACCOUNT, ACTOR, G2);
    Row.Policy p2 = policy(UUID.randomUUID(), G2, R2, "[]", null);
    List<ClientDelta> deltas =
        cache.hydrate(
            new ClientSnapshot(
                client("1.4.0", true),
                null,
                List.of(m2),
                List.of(p2),
                List.of(resource(R2, "ip", "10.0.0.2")),
                List.of(new Row.ResourceConnection(R2, S1, ACCOUNT))),
            NOW);
    assertThat(deltas).hasSize(2);
    assertThat(deltas.get(0)).isEqualTo(new ResourceDeleted(R1));
    assertThat(((ResourceCreatedOrUpdated) deltas.get(1)).resource().id()).isEqualTo(R2);
  }

  @Test
  void manyAddressChangesKeepEveryAddressRight() {
    ClientCache cache = standard();
    Row.Resource current = RES1;
    for (int i = 0; i < 500; i++) {
      Row.Resource next = resource(R1, "dns", "host-" + i + ".example.internal");
      List<ClientDelta> deltas = cache.apply(changes.update(current, next), NOW);
      assertThat(deltas)
          .singleElement()
          .isInstanceOfSatisfying(
              ResourceCreatedOrUpdated.class,
              d -> assertThat(d.resource().address()).isEqualTo(next.address()));
      current = next;
    }
    assertThat(cache.connectable())
        .singleElement()
        .extracting(ResourceView::address)
        .isEqualTo("host-499.example.internal");
  }

  @Test
  void deletedClientDisabledActorOrDisabledAccountDisconnects() {
    ClientCache cache = standard();
    Row.Actor actor = new Row.Actor(ACTOR, ACCOUNT, "a", "account_user", null, null);
    Row.Actor disabled = new Row.Actor(ACTOR, ACCOUNT, "a", "account_user", NOW, null);
    assertThat(cache.apply(changes.update(actor, actor), NOW)).isEmpty();
    assertThat(cache.apply(changes.update(actor, disabled), NOW))
        .singleElement()
        .isInstanceOf(ClientDelta.Disconnect.class);
    Row.Actor otherActor =
        new Row.Actor(UUID.randomUUID(), ACCOUNT, "b", "account_user", null, null);
    assertThat(cache.apply(changes.delete(otherActor), NOW)).isEmpty();
    assertThat(
            cache.apply(changes.delete(new Row.Account(ACCOUNT, "acme", "acme", null, null)), NOW))
        .singleElement()
        .isInstanceOf(ClientDelta.Disconnect.class);
    assertThat(cache.apply(changes.delete(client("1.4.0", true)), NOW))
        .singleElement()
        .isInstanceOf(ClientDelta.Disconnect.class);
  }

  /** POL1 on R1; R2 exists on site S1 too but has no policy. */
  private ClientCache policyOnR1WithR2Known() {
    return cache(
        client("1.4.0", true),
        List.of(POL1),
        List.of(RES1, resource(R2, "ip", "10.0.0.2")),
        List.of(
            new Row.ResourceConnection(R1, S1, ACCOUNT),
            new Row.ResourceConnection(R2, S1, ACCOUNT)));
  }
}
