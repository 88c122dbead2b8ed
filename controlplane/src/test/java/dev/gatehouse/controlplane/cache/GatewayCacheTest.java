package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.cache.GatewayDelta.AccessAuthorizationExpiryUpdated;
import dev.gatehouse.controlplane.cache.GatewayDelta.RejectAccess;
import dev.gatehouse.controlplane.cache.GatewayDelta.ResourceUpdated;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GatewayCacheTest {

  static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");
  static final UUID ACCOUNT = UUID.randomUUID();
  static final UUID GATEWAY = UUID.randomUUID();
  static final UUID CLIENT = UUID.randomUUID();
  static final UUID RESOURCE = UUID.randomUUID();
  static final UUID POLICY = UUID.randomUUID();

  private final Changes changes = new Changes();

  static Row.Flow flow(UUID client, UUID resource, Instant expiresAt) {
    return new Row.Flow(UUID.randomUUID(), ACCOUNT, client, GATEWAY, resource, POLICY, expiresAt);
  }

  static Row.Resource resource(String address, String filters) {
    return new Row.Resource(RESOURCE, ACCOUNT, "r", "ip", address, "dual", filters, null);
  }

  @Test
  void deletingOneOfSeveralFlowsUpdatesTheExpiry() {
    Row.Flow longer = flow(CLIENT, RESOURCE, NOW.plusSeconds(600));
    Row.Flow shorter = flow(CLIENT, RESOURCE, NOW.plusSeconds(60));
    GatewayCache cache =
        GatewayCache.fromFlows(
            GATEWAY, Version.parse("1.4.0"), List.of(longer, shorter), NOW, FlowReauthorizer.NONE);
    assertThat(cache.expiry(CLIENT, RESOURCE)).contains(NOW.plusSeconds(600));
    assertThat(cache.apply(changes.delete(longer), NOW))
        .containsExactly(
            new AccessAuthorizationExpiryUpdated(CLIENT, RESOURCE, NOW.plusSeconds(60)));
    assertThat(cache.apply(changes.delete(shorter), NOW))
        .containsExactly(new RejectAccess(CLIENT, RESOURCE));
    assertThat(cache.pairCount()).isZero();
  }

  @Test
  void lastFlowDeletedIsReauthorizedAgainstOtherPolicies() {
    Row.Flow only = flow(CLIENT, RESOURCE, NOW.plusSeconds(600));
    UUID replacement = UUID.randomUUID();
    List<UUID> asked = new ArrayList<>();
    FlowReauthorizer reauthorizer =
        (g, c, r, previous, now) -> {
          asked.add(c);
          return Optional.of(new FlowReauthorizer.Replacement(replacement, NOW.plusSeconds(900)));
        };
    GatewayCache cache =
        GatewayCache.fromFlows(GATEWAY, Version.parse("1.4.0"), List.of(only), NOW, reauthorizer);
    assertThat(cache.apply(changes.delete(only), NOW))
        .as("a replacement never outlasts the deleted flow")
        .containsExactly(
            new AccessAuthorizationExpiryUpdated(CLIENT, RESOURCE, NOW.plusSeconds(600)));
    assertThat(asked).containsExactly(CLIENT);
    assertThat(cache.describe().values())
        .singleElement()
        .asString()
        .contains(replacement.toString());
  }

  @Test
  void flowsOfOtherGatewaysAreIgnoredAndUpdatesMoveTheExpiry() {
    GatewayCache cache = GatewayCache.empty(GATEWAY, Version.parse("1.4.0"), FlowReauthorizer.NONE);
    Row.Flow other =
        new Row.Flow(
            UUID.randomUUID(),
            ACCOUNT,
            CLIENT,
            UUID.randomUUID(),
            RESOURCE,
            POLICY,
            NOW.plusSeconds(60));
    assertThat(cache.apply(changes.insert(other), NOW)).isEmpty();
    assertThat(cache.pairCount()).isZero();
    Row.Flow f = flow(CLIENT, RESOURCE, NOW.plusSeconds(60));
    assertThat(cache.apply(changes.insert(f), NOW)).isEmpty();
    Row.Flow extended =
        new Row.Flow(f.id(), ACCOUNT, CLIENT, GATEWAY, RESOURCE, POLICY, NOW.plusSeconds(120));
    assertThat(cache.apply(changes.update(f, extended), NOW))
        .containsExactly(
            new AccessAuthorizationExpiryUpdated(CLIENT, RESOURCE, NOW.plusSeconds(120)));
  }

  @Test
  void pruneRemovesExpiredFlowsAndEmptyPairs() {
    UUID client2 = UUID.randomUUID();
    GatewayCache cache =
        GatewayCache.fromFlows(
            GATEWAY,
            Version.parse("1.4.0"),
            List.of(
                flow(CLIENT, RESOURCE, NOW.plusSeconds(10)),
                flow(CLIENT, RESOURCE, NOW.plusSeconds(100)),
                flow(client2, RESOURCE, NOW.plusSeconds(10))),
            NOW,
            FlowReauthorizer.NONE);
    assertThat(cache.pairCount()).isEqualTo(2);
    assertThat(cache.prune(NOW.plusSeconds(50))).isEqualTo(2);
    assertThat(cache.pairCount()).isEqualTo(1);
    assertThat(cache.expiry(CLIENT, RESOURCE)).contains(NOW.plusSeconds(100));
    assertThat(cache.expiry(client2, RESOURCE)).isEmpty();
  }

  @Test
  void filterChangeIsPushedAndAddressChangeRejectsEveryPair() {
    UUID client2 = UUID.randomUUID();
    GatewayCache cache =
        GatewayCache.fromFlows(
            GATEWAY,
            Version.parse("1.4.0"),
            List.of(
                flow(CLIENT, RESOURCE, NOW.plusSeconds(60)),
                flow(client2, RESOURCE, NOW.plusSeconds(60))),
            NOW,
            FlowReauthorizer.NONE);
    Row.Resource before = resource("10.0.0.1", "[]");
    Row.Resource filtered = resource("10.0.0.1", "[{\"protocol\":\"udp\",\"ports\":[\"53\"]}]");
    assertThat(cache.apply(changes.update(before, filtered), NOW))
        .singleElement()
        .isInstanceOfSatisfying(
            ResourceUpdated.class,
            u ->
                assertThat(u.resource().filters())
                    .containsExactly(new Filters.Filter("udp", 53, 53)));
    assertThat(cache.apply(changes.update(filtered, resource("10.0.0.2", "[]")), NOW))
        .containsExactlyInAnyOrder(
            new RejectAccess(CLIENT, RESOURCE), new RejectAccess(client2, RESOURCE));
    assertThat(cache.pairCount()).isZero();
    assertThat(cache.apply(changes.update(filtered, resource("10.0.0.3", "[]")), NOW))
        .as("no pairs left")
        .isEmpty();
  }

  @Test
  void resourceDeleteRejectsAndDuplicatesAreDropped() {
    GatewayCache cache =
        GatewayCache.fromFlows(
            GATEWAY,
            Version.parse("1.4.0"),
            List.of(flow(CLIENT, RESOURCE, NOW.plusSeconds(60))),
            NOW,
            FlowReauthorizer.NONE);
    var delete = changes.delete(resource("10.0.0.1", "[]"));
    assertThat(cache.apply(delete, NOW)).containsExactly(new RejectAccess(CLIENT, RESOURCE));
    assertThat(cache.apply(delete, NOW)).isEmpty();
    assertThat(cache.droppedChanges()).isEqualTo(1);
  }

  @Test
  void hydrationSkipsExpiredFlows() {
    GatewayCache cache =
        GatewayCache.fromFlows(
            GATEWAY,
            Version.parse("1.4.0"),
            List.of(flow(CLIENT, RESOURCE, NOW.minusSeconds(1))),
            NOW,
            FlowReauthorizer.NONE);
    assertThat(cache.pairCount()).isZero();
  }

  @Test
  void deletedGatewayDisconnects() {
    GatewayCache cache = GatewayCache.empty(GATEWAY, Version.parse("1.4.0"), FlowReauthorizer.NONE);
    Row.Gateway self =
        new Row.Gateway(GATEWAY, ACCOUNT, UUID.randomUUID(), "gw", "pk", "1.4.0", null, null);
    Row.Gateway other =
        new Row.Gateway(
            UUID.randomUUID(), ACCOUNT, UUID.randomUUID(), "gw", "pk", "1.4.0", null, null);
    assertThat(cache.apply(changes.delete(other), NOW)).isEmpty();
    assertThat(cache.apply(changes.delete(self), NOW))
        .singleElement()
        .isInstanceOf(GatewayDelta.Disconnect.class);
  }
}
