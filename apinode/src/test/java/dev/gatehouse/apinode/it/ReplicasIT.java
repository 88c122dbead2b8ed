package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Two API node replicas: the client on one, the gateway on the other, joined by the database. */
class ReplicasIT {

  private final Harness h;

  ReplicasIT() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  @Test
  void clientAndGatewayOnDifferentReplicasCompleteTheFlowAndSeeRevocation() throws Exception {
    ApiNode a = h.node("a");
    ApiNode b = h.node("b");
    var gw = h.gateway(b, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(a, "laptop");
    UUID clientId = client.await(ClientOutbound.Init.class).payload().clientId();

    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    assertThat(af.client().id()).isEqualTo(clientId);
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    var created = client.await(ClientOutbound.FlowCreated.class);
    assertThat(created.ref()).isEqualTo("1");
    assertThat(created.payload().gatewayPublicKey()).isEqualTo("gwpk-gw-pod-1");
    assertThat(a.hub().gatewayCount()).isZero();
    assertThat(b.hub().clientCount()).isZero();

    // Candidates cross replicas both ways.
    client.send(
        Envelope.of(
            null,
            new ClientInbound.BroadcastIceCandidates(
                List.of("candidate:1 1 udp 1 192.0.2.1 5000 typ host"),
                List.of(created.payload().gatewayId()))));
    assertThat(gw.await(GatewayOutbound.IceCandidates.class).payload().clientId())
        .isEqualTo(clientId);
    gw.send(
        Envelope.of(
            null, new GatewayInbound.BroadcastIceCandidates(List.of("c2"), List.of(clientId))));
    assertThat(client.await(ClientOutbound.IceCandidates.class).payload().candidates())
        .containsExactly("c2");

    h.f.deletePolicy(h.policy);
    assertThat(gw.await(GatewayOutbound.RejectAccess.class).payload().clientId())
        .isEqualTo(clientId);
    assertThat(client.await(ClientOutbound.ResourceDeleted.class).payload().id())
        .isEqualTo(h.resource);
  }

  @Test
  void aStoppedReplicasGatewaysLeaveSelection() throws Exception {
    ApiNode a = h.node("a");
    ApiNode b = h.node("b");
    var gw = h.gateway(b, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    b.stop();
    await().atMost(Duration.ofSeconds(10)).until(() -> presences(b.config().nodeId()) == 0);
    var client = h.client(a, "laptop");
    client.await(ClientOutbound.Init.class);
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    assertThat(client.await(ClientOutbound.FlowCreationFailed.class).payload().reason())
        .isEqualTo("offline");
  }

  private int presences(String node) throws Exception {
    try (var c = h.db.connect();
        var ps = c.prepareStatement("SELECT count(*) FROM gateway_presences WHERE node_id = ?")) {
      ps.setString(1, node);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
