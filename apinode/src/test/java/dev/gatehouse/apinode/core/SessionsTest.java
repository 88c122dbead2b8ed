package dev.gatehouse.apinode.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.ProxiedDomain;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A client session and a gateway session driven against each other in memory: the flow exchange,
 * revocation, the hydration floor and the failure answers, with the shell's part played inline.
 */
class SessionsTest {

  static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  final UUID account = UUID.randomUUID();
  final UUID actor = UUID.randomUUID();
  final UUID group = UUID.randomUUID();
  final UUID site = UUID.randomUUID();
  final UUID resource = UUID.randomUUID();
  final UUID guarded = UUID.randomUUID();
  final UUID wildcard = UUID.randomUUID();
  final UUID policy = UUID.randomUUID();
  final UUID clientId = UUID.randomUUID();
  final UUID gatewayId = UUID.randomUUID();
  final FlowKeys keys =
      new FlowKeys("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  final InterfaceAddresses clientIface = TunnelAddresses.of(2);

  ClientSession client(long floor) {
    Row.Client c =
        new Row.Client(clientId, account, actor, "c", "cpk", "1.4.0", "192.0.2.7", NOW, null);
    ClientSnapshot s =
        new ClientSnapshot(
            c,
            null,
            List.of(new Row.Membership(UUID.randomUUID(), account, actor, group)),
            List.of(
                new Row.Policy(policy, account, group, resource, "[]", null, null, null),
                new Row.Policy(
                    UUID.randomUUID(),
                    account,
                    group,
                    guarded,
                    "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"10.0.0.0/8\"]}]",
                    null,
                    null,
                    null),
                new Row.Policy(
                    UUID.randomUUID(), account, group, wildcard, "[]", null, null, null)),
            List.of(
                new Row.Resource(resource, account, "r", "ip", "10.0.0.1", "dual", "[]", null),
                new Row.Resource(guarded, account, "g", "ip", "10.0.0.2", "dual", "[]", null),
                new Row.Resource(wildcard, account, "w", "dns", "*.svc.test", "dual", "[]", null)),
            List.of(
                new Row.ResourceConnection(resource, site, account),
                new Row.ResourceConnection(guarded, site, account),
                new Row.ResourceConnection(wildcard, site, account)));
    return new ClientSession(
        ClientCache.fromSnapshot(s, null, NOW), clientIface, floor, Duration.ofSeconds(5));
  }

  GatewaySession gateway() {
    return new GatewaySession(
        GatewayCache.empty(gatewayId, new Version(1, 4, 0), FlowReauthorizer.NONE),
        0,
        Duration.ofSeconds(5));
  }

  /** The shell's part of create_flow: select, record, derive, build the request. */
  FlowRequest setup(ClientSession.Action.SetupFlow f) {
    var candidate =
        new GatewaySelection.Candidate(
            gatewayId,
            site,
            new Version(1, 4, 0),
            "gpk",
            "192.0.2.9:51820",
            "100.64.0.3",
            "fd00:2021:1111::0:3",
            "node-b",
            0);
    var chosen =
        GatewaySelection.select(
                List.of(candidate),
                new Version(1, 4, 0),
                f.resource().type(),
                f.resource().address(),
                f.connectedGatewayIds())
            .orElseThrow();
    String psk = keys.presharedKey(clientId, "cpk", chosen.gatewayId(), chosen.publicKey());
    var ice = FlowKeys.iceCredentials(clientId, "cpk", chosen.gatewayId(), chosen.publicKey());
    UUID flowId = UUID.randomUUID();
    Instant expires = NOW.plus(Duration.ofHours(1));
    return new FlowRequest(
        flowId,
        "node-a",
        f.ref(),
        clientId,
        chosen.gatewayId(),
        Views.describe(f.resource()),
        new GatewayOutbound.ClientPeer(
            clientId, "cpk", psk, clientIface.ipv4(), clientIface.ipv6()),
        ice[0],
        ice[1],
        expires.toEpochMilli(),
        new ClientOutbound.FlowCreated(
            f.resource().id(),
            flowId,
            psk,
            site,
            gatewayId,
            "gpk",
            chosen.ipv4(),
            chosen.ipv6(),
            chosen.endpoint(),
            ice[0],
            ice[1],
            expires.getEpochSecond()),
        f.domain());
  }

  @Test
  void flowExchangeThenRevocation() {
    ClientSession c = client(0);
    GatewaySession g = gateway();
    assertThat(c.init())
        .singleElement()
        .satisfies(
            a -> {
              var init = (ClientOutbound.Init) ((ClientSession.Action.Send) a).envelope().payload();
              assertThat(init.resources())
                  .extracting(r -> r.id())
                  .containsExactlyInAnyOrder(resource, wildcard);
            });

    var actions =
        c.onMessage(Envelope.of("1", new ClientInbound.CreateFlow(resource, List.of())), NOW);
    var setup = (ClientSession.Action.SetupFlow) actions.getFirst();
    assertThat(setup.allowed().policyId()).isEqualTo(policy);
    FlowRequest request = setup(setup);

    var sent = (GatewaySession.Action.Send) g.authorize(request, NOW).getFirst();
    var af = (GatewayOutbound.AuthorizeFlow) sent.envelope().payload();
    assertThat(af.client().presharedKey()).isEqualTo(request.answer().presharedKey());
    assertThat(g.cache().expiry(clientId, resource)).isPresent();

    var confirmed =
        (GatewaySession.Action.FlowConfirmed)
            g.onMessage(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref())), NOW)
                .getFirst();
    var answer =
        (ClientSession.Action.Send)
            c.onFlowAnswer(confirmed.request().clientRef(), confirmed.request().answer(), null)
                .getFirst();
    assertThat(answer.envelope().ref()).isEqualTo("1");
    assertThat(answer.envelope().payload()).isEqualTo(request.answer());
    assertThat(c.pendingFlows()).isZero();

    // Revocation: the policy goes, and the trigger deletes the flow.
    Row.Policy p = new Row.Policy(policy, account, group, resource, "[]", null, null, null);
    Row.Flow flow =
        new Row.Flow(
            request.flowId(),
            account,
            clientId,
            gatewayId,
            resource,
            policy,
            NOW.plusSeconds(3600));
    assertThat(
            c.onChange(new Change<>(Table.POLICIES, Change.Op.DELETE, 110, 200, NOW, p, null), NOW))
        .containsExactly(
            new ClientSession.Action.Send(
                Envelope.of(null, new ClientOutbound.ResourceDeleted(resource))));
    assertThat(
            g.onChange(new Change<>(Table.FLOWS, Change.Op.DELETE, 120, 200, NOW, flow, null), NOW))
        .containsExactly(
            new GatewaySession.Action.Send(
                Envelope.of(null, new GatewayOutbound.RejectAccess(clientId, resource))));
  }

  @Test
  void changesBeforeTheHydrationFloorAreDropped() {
    ClientSession c = client(1_000);
    Row.Policy p = new Row.Policy(policy, account, group, resource, "[]", null, null, null);
    assertThat(
            c.onChange(new Change<>(Table.POLICIES, Change.Op.DELETE, 900, 999, NOW, p, null), NOW))
        .isEmpty();
    assertThat(c.droppedBeforeFloor()).isEqualTo(1);
    assertThat(c.cache().isConnectable(resource)).isTrue();
  }

  @Test
  void forbiddenNotFoundOfflineAndOutOfTurn() {
    ClientSession c = client(0);
    var forbidden =
        (ClientSession.Action.Send)
            c.onMessage(Envelope.of("1", new ClientInbound.CreateFlow(guarded, List.of())), NOW)
                .getFirst();
    assertThat(forbidden.envelope().payload())
        .isEqualTo(
            new ClientOutbound.FlowCreationFailed(guarded, "forbidden", List.of("remote_ip")));

    var notFound =
        (ClientSession.Action.Send)
            c.onMessage(
                    Envelope.of("2", new ClientInbound.CreateFlow(UUID.randomUUID(), List.of())),
                    NOW)
                .getFirst();
    assertThat(((ClientOutbound.FlowCreationFailed) notFound.envelope().payload()).reason())
        .isEqualTo("not_found");

    assertThat(
            c.onMessage(Envelope.of("3", new ClientInbound.CreateFlow(resource, List.of())), NOW))
        .first()
        .isInstanceOf(ClientSession.Action.SetupFlow.class);
    var dup =
        (ClientSession.Action.Send)
            c.onMessage(Envelope.of("3", new ClientInbound.CreateFlow(resource, List.of())), NOW)
                .getFirst();
    assertThat(((ErrorReply) dup.envelope().payload()).reason()).isEqualTo("out_of_turn");

    assertThat(c.expire(NOW.plusSeconds(4))).isEmpty();
    var offline = (ClientSession.Action.Send) c.expire(NOW.plusSeconds(5)).getFirst();
    assertThat(offline.envelope().ref()).isEqualTo("3");
    assertThat(((ClientOutbound.FlowCreationFailed) offline.envelope().payload()).reason())
        .isEqualTo("offline");
    // A late answer is ignored.
    assertThat(c.onFlowAnswer("3", null, "offline")).isEmpty();
  }

  @Test
  void gatewayRefusesUnknownConfirmationsAndForgetsStaleOnes() {
    GatewaySession g = gateway();
    var err =
        (GatewaySession.Action.Send)
            g.onMessage(Envelope.of("r", new GatewayInbound.FlowAuthorized("af-99")), NOW)
                .getFirst();
    assertThat(err.envelope().ref()).isEqualTo("r");
    assertThat(((ErrorReply) err.envelope().payload()).reason()).isEqualTo("out_of_turn");
  }

  @Test
  void gatewayInitListsOnePairPerClientAndResourceWithTheLatestExpiry() {
    Row.Flow a =
        new Row.Flow(
            UUID.randomUUID(), account, clientId, gatewayId, resource, policy, NOW.plusSeconds(60));
    Row.Flow b =
        new Row.Flow(
            UUID.randomUUID(),
            account,
            clientId,
            gatewayId,
            resource,
            policy,
            NOW.plusSeconds(120));
    Row.Flow old =
        new Row.Flow(
            UUID.randomUUID(), account, clientId, gatewayId, guarded, policy, NOW.minusSeconds(1));
    var init =
        (GatewayOutbound.Init)
            ((GatewaySession.Action.Send)
                    GatewaySession.init(gatewayId, List.of(a, b, old), TunnelAddresses.of(3), NOW)
                        .getFirst())
                .envelope()
                .payload();
    assertThat(init.authorizations())
        .containsExactly(
            new GatewayOutbound.Authorization(
                clientId, resource, NOW.plusSeconds(120).getEpochSecond()));
  }

  @Test
  void aDnsFlowCarriesItsDomainToTheGatewayAndAResolutionFailureReachesTheClient() {
    ClientSession c = client(0);
    GatewaySession g = gateway();
    c.init();
    ProxiedDomain web = new ProxiedDomain("web.svc.test", List.of("100.96.0.7"));
    var setup =
        (ClientSession.Action.SetupFlow)
            c.onMessage(
                    Envelope.of("1", new ClientInbound.CreateFlow(wildcard, List.of(), web)), NOW)
                .getFirst();
    assertThat(setup.domain()).isEqualTo(web);
    var sent = (GatewaySession.Action.Send) g.authorize(setup(setup), NOW).getFirst();
    var af = (GatewayOutbound.AuthorizeFlow) sent.envelope().payload();
    assertThat(af.domain()).isEqualTo(web);
    assertThat(af.resource().address()).isEqualTo("*.svc.test");

    var refused =
        (GatewaySession.Action.FlowRefused)
            g.onMessage(
                    Envelope.of(
                        null,
                        new GatewayInbound.FlowAuthorizationFailed(
                            af.ref(), "unresolvable", "web.svc.test: no address")),
                    NOW)
                .getFirst();
    var answer =
        (ClientSession.Action.Send)
            c.onFlowAnswer(refused.request().clientRef(), null, refused.reason(), refused.detail())
                .getFirst();
    assertThat(answer.envelope().payload())
        .isEqualTo(
            new ClientOutbound.FlowCreationFailed(
                wildcard, "unresolvable", List.of(), "web.svc.test: no address"));
    assertThat(g.pendingConfirmations()).isZero();

    // The same resource, a second name: another create_flow, another authorize_flow.
    var second =
        (ClientSession.Action.SetupFlow)
            c.onMessage(
                    Envelope.of(
                        "2",
                        new ClientInbound.CreateFlow(
                            wildcard,
                            List.of(gatewayId),
                            new ProxiedDomain("db.svc.test", List.of("100.96.0.8")))),
                    NOW)
                .getFirst();
    assertThat(second.domain().name()).isEqualTo("db.svc.test");
  }

  @Test
  void domainsMustMatchTheResource() {
    ClientSession c = client(0);
    c.init();
    ProxiedDomain ok = new ProxiedDomain("web.svc.test", List.of("100.96.0.7"));
    List.of(
            new ClientInbound.CreateFlow(wildcard, List.of()),
            new ClientInbound.CreateFlow(
                wildcard, List.of(), new ProxiedDomain("a.b.svc.test", List.of("100.96.0.7"))),
            new ClientInbound.CreateFlow(
                wildcard, List.of(), new ProxiedDomain("web.svc.test", List.of("10.0.0.1"))),
            new ClientInbound.CreateFlow(
                wildcard, List.of(), new ProxiedDomain("web.svc.test", List.of("100.128.0.1"))),
            new ClientInbound.CreateFlow(resource, List.of(), ok))
        .forEach(
            bad ->
                assertThat(c.onMessage(Envelope.of("9", bad), NOW))
                    .as(bad.toString())
                    .singleElement()
                    .satisfies(
                        a ->
                            assertThat(
                                    ((ErrorReply)
                                            ((ClientSession.Action.Send) a).envelope().payload())
                                        .reason())
                                .isEqualTo("invalid_domain")));
    assertThat(c.pendingFlows()).isZero();
  }
}
