package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.store.ConnectionPool;
import dev.gatehouse.apinode.store.PresenceStore;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A replica that crashed (stopped heartbeating) drops out of gateway selection, then is reaped. */
class PresenceIT {

  private final Harness h;
  private final ConnectionPool pool;
  private final PresenceStore presence;

  PresenceIT() throws Exception {
    h = new Harness();
    pool = new ConnectionPool(h.db, 2);
    presence = new PresenceStore(pool, Duration.ofSeconds(3));
  }

  @AfterEach
  void close() throws Exception {
    pool.close();
    h.close();
  }

  @Test
  void aCrashedNodesGatewaysExpireAndAreReaped() throws Exception {
    String crashed = "it-crashed-" + UUID.randomUUID();
    presence.registerNode(crashed);
    UUID gw =
        presence.upsertGateway(h.f.account, h.site, "pod-x", "pod-x", "gpk", "1.4.0").orElseThrow();
    presence.addressIndex(gw);
    presence.gatewayPresent(gw, h.f.account, h.site, "192.0.2.1:51820", crashed);
    assertThat(presence.onlineGateways(h.f.account, List.of(h.site)))
        .extracting(c -> c.gatewayId())
        .containsExactly(gw);
    assertThat(presence.nodeOfGateway(gw)).contains(crashed);

    // The node stops heartbeating: 4 s ago is past the 3 s TTL.
    h.f.exec(
        "UPDATE api_nodes SET heartbeat_at = now() - interval '4 seconds' WHERE id = ?", crashed);
    assertThat(presence.onlineGateways(h.f.account, List.of(h.site))).isEmpty();
    assertThat(presence.nodeOfGateway(gw)).isEmpty();

    assertThat(presence.reapStaleNodes(Duration.ofSeconds(2))).contains(crashed);
    assertThat(presence.nodeOfGateway(gw)).isEmpty();
    presence.heartbeat(crashed); // a node that comes back re-registers itself
    assertThat(presence.onlineGateways(h.f.account, List.of(h.site))).isEmpty();
  }

  @Test
  void tunnelAddressesAreStablePerOwnerAndDistinct() throws Exception {
    UUID a = UUID.randomUUID();
    UUID b = UUID.randomUUID();
    int na = presence.addressIndex(a);
    assertThat(presence.addressIndex(a)).isEqualTo(na);
    assertThat(presence.addressIndex(b)).isNotEqualTo(na);
  }
}
