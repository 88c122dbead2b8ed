package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.controlplane.testing.Fixtures;
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

/** create_flow → flow_created through one API node, with real PostgreSQL and WebSocket peers. */
class FlowSetupIT {

  private final Harness h;

  FlowSetupIT() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void close() throws Exception {
    h.close();
  }

  @Test
  void createFlowEndsInFlowCreatedAndRevocationPushesRejectAccess() throws Exception {
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-pod-1");
    GatewayOutbound.Init gwInit = gw.await(GatewayOutbound.Init.class).payload();
    assertThat(gwInit.authorizations()).isEmpty();
    assertThat(gwInit.interfaceAddresses().ipv4()).startsWith("100.");

    var client = h.client(node, "laptop-1");
    ClientOutbound.Init init = client.await(ClientOutbound.Init.class).payload();
    assertThat(init.resources()).extracting(r -> r.id()).containsExactly(h.resource);
    assertThat(init.resources().getFirst().address()).isEqualTo("10.20.0.5");
    assertThat(init.resources().getFirst().siteIds()).containsExactly(h.site);

    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    GatewayOutbound.AuthorizeFlow af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    assertThat(af.client().id()).isEqualTo(init.clientId());
    assertThat(af.client().publicKey()).isEqualTo("cpk-laptop-1");
    assertThat(af.client().ipv4()).isEqualTo(init.interfaceAddresses().ipv4());
    assertThat(af.resource().id()).isEqualTo(h.resource);
    assertThat(af.resource().filters()).hasSize(1);
    assertThat(af.expiresAt()).isGreaterThan(System.currentTimeMillis() / 1000);

    gw.send(Envelope.of("g1", new GatewayInbound.FlowAuthorized(af.ref())));
    Envelope<ClientOutbound.FlowCreated> created = client.await(ClientOutbound.FlowCreated.class);
    assertThat(created.ref()).isEqualTo("1");
    ClientOutbound.FlowCreated fc = created.payload();
    assertThat(fc.resourceId()).isEqualTo(h.resource);
    assertThat(fc.gatewayPublicKey()).isEqualTo("gwpk-gw-pod-1");
    assertThat(fc.gatewayEndpoint()).isEqualTo("192.0.2.10:51820");
    assertThat(fc.gatewayIpv4()).isEqualTo(gwInit.interfaceAddresses().ipv4());
    assertThat(fc.presharedKey()).isEqualTo(af.client().presharedKey());
    assertThat(fc.flowId()).isEqualTo(af.flowId());
    assertThat(fc.siteId()).isEqualTo(h.site);
    assertThat(flowRows(fc.flowId())).isEqualTo(1);

    h.f.deletePolicy(h.policy);
    GatewayOutbound.RejectAccess reject = gw.await(GatewayOutbound.RejectAccess.class).payload();
    assertThat(reject).isEqualTo(new GatewayOutbound.RejectAccess(init.clientId(), h.resource));
    assertThat(client.await(ClientOutbound.ResourceDeleted.class).payload().id())
        .isEqualTo(h.resource);
    assertThat(node.metrics().flowsCreated.get()).isEqualTo(1);
  }

  @Test
  void reconnectingGatewayGetsItsAuthorizationsInInit() throws Exception {
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "laptop-1");
    UUID clientId = client.await(ClientOutbound.Init.class).payload().clientId();
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    client.await(ClientOutbound.FlowCreated.class);
    gw.close();

    var again = h.gateway(node, "gw-pod-1");
    GatewayOutbound.Init init = again.await(GatewayOutbound.Init.class).payload();
    assertThat(init.authorizations())
        .singleElement()
        .satisfies(
            a -> {
              assertThat(a.clientId()).isEqualTo(clientId);
              assertThat(a.resourceId()).isEqualTo(h.resource);
            });
  }

  @Test
  void forbiddenNamesTheViolatedConditions() throws Exception {
    UUID r2 = h.f.resource("10.20.0.6", Fixtures.TCP_443);
    h.f.connect(r2, h.site);
    h.f.policy(
        h.group,
        r2,
        "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"203.0.113.0/24\"]}]");
    ApiNode node = h.node("a");
    var client = h.client(node, "laptop-1");
    client.await(ClientOutbound.Init.class);
    client.send(Envelope.of("7", new ClientInbound.CreateFlow(r2, List.of())));
    Envelope<ClientOutbound.FlowCreationFailed> failed =
        client.await(ClientOutbound.FlowCreationFailed.class);
    assertThat(failed.ref()).isEqualTo("7");
    assertThat(failed.payload().reason()).isEqualTo("forbidden");
    assertThat(failed.payload().violatedProperties()).containsExactly("remote_ip");
  }

  @Test
  void offlineWhenNoGatewayServesTheResourceAndNotFoundForUnknownOnes() throws Exception {
    ApiNode node = h.node("a");
    var client = h.client(node, "laptop-1");
    client.await(ClientOutbound.Init.class);
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var offline = client.await(ClientOutbound.FlowCreationFailed.class);
    assertThat(offline.ref()).isEqualTo("1");
    assertThat(offline.payload().reason()).isEqualTo("offline");

    client.send(Envelope.of("2", new ClientInbound.CreateFlow(UUID.randomUUID(), List.of())));
    var notFound = client.await(ClientOutbound.FlowCreationFailed.class);
    assertThat(notFound.ref()).isEqualTo("2");
    assertThat(notFound.payload().reason()).isEqualTo("not_found");
  }

  @Test
  void offlineWhenTheGatewayNeverConfirms() throws Exception {
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "laptop-1");
    client.await(ClientOutbound.Init.class);
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    gw.await(GatewayOutbound.AuthorizeFlow.class); // and never answers
    var failed =
        client.await(ClientOutbound.FlowCreationFailed.class, x -> true, Duration.ofSeconds(10));
    assertThat(failed.payload().reason()).isEqualTo("offline");
  }

  @Test
  void revokingOnePolicyOfTwoKeepsAccessThroughTheOther() throws Exception {
    UUID second = h.f.group();
    h.f.membership(h.actor, second);
    UUID other = h.f.policy(second, h.resource, "[]");
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "laptop-1");
    UUID clientId = client.await(ClientOutbound.Init.class).payload().clientId();
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    client.await(ClientOutbound.FlowCreated.class);
    UUID used = policyOf(af.flowId());
    UUID remaining = used.equals(h.policy) ? other : h.policy;

    h.f.deletePolicy(used);
    var updated = gw.await(GatewayOutbound.AccessAuthorizationExpiryUpdated.class).payload();
    assertThat(updated.clientId()).isEqualTo(clientId);
    assertThat(updated.resourceId()).isEqualTo(h.resource);

    h.f.deletePolicy(remaining);
    assertThat(gw.await(GatewayOutbound.RejectAccess.class).payload().clientId())
        .isEqualTo(clientId);
    assertThat(client.await(ClientOutbound.ResourceDeleted.class).payload().id())
        .isEqualTo(h.resource);
  }

  @Test
  void filterChangesReachTheGatewayAsResourceUpdatedAndTheClientAsAnUpdate() throws Exception {
    ApiNode node = h.node("a");
    var gw = h.gateway(node, "gw-pod-1");
    gw.await(GatewayOutbound.Init.class);
    var client = h.client(node, "laptop-1");
    client.await(ClientOutbound.Init.class);
    client.send(Envelope.of("1", new ClientInbound.CreateFlow(h.resource, List.of())));
    var af = gw.await(GatewayOutbound.AuthorizeFlow.class).payload();
    gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())));
    client.await(ClientOutbound.FlowCreated.class);

    h.f.exec(
        "UPDATE resources SET filters = '[{\"protocol\":\"udp\",\"ports\":[\"53\"]}]' WHERE id = ?",
        h.resource);
    var updated = gw.await(GatewayOutbound.ResourceUpdated.class).payload().resource();
    assertThat(updated.id()).isEqualTo(h.resource);
    assertThat(updated.filters()).containsExactly(new dev.gatehouse.protocol.Filter("udp", 53, 53));
    var pushed =
        client
            .await(
                ClientOutbound.ResourceCreatedOrUpdated.class,
                r -> r.resource().id().equals(h.resource),
                Duration.ofSeconds(15))
            .payload();
    assertThat(pushed.resource().filters()).extracting(f -> f.protocol()).containsExactly("udp");
  }

  private UUID policyOf(UUID flowId) throws Exception {
    try (var c = h.db.connect();
        var ps = c.prepareStatement("SELECT policy_id FROM flows WHERE id = ?")) {
      ps.setObject(1, flowId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getObject(1, UUID.class);
      }
    }
  }

  private int flowRows(UUID flowId) throws Exception {
    try (var c = h.db.connect();
        var ps = c.prepareStatement("SELECT count(*) FROM flows WHERE id = ?")) {
      ps.setObject(1, flowId);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }
}
