package dev.gatehouse.gateway.agent;

import static dev.gatehouse.gateway.agent.GatewayAgentTest.ALICE;
import static dev.gatehouse.gateway.agent.GatewayAgentTest.ALICE_KEY;
import static dev.gatehouse.gateway.agent.GatewayAgentTest.NOW;
import static dev.gatehouse.gateway.agent.GatewayAgentTest.PSK;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Filter;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.net.InetAddress;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** authorize_flow for a dns resource: resolve first, then the peer, translation and answer. */
class GatewayAgentDnsTest {

  static final UUID SVC = UUID.fromString("00000000-0000-4000-8000-0000000000d1");
  static final ResourceDescription WILDCARD =
      new ResourceDescription(
          SVC, "dns", "*.svc.test", "dual", List.of(new Filter("tcp", 80, 80)), List.of());

  final GatewayAgent agent = new GatewayAgent();

  static Envelope<GatewayOutbound> authorize(String ref, String name, String proxy) {
    return Envelope.of(
        null,
        new GatewayOutbound.AuthorizeFlow(
            ref,
            UUID.randomUUID(),
            WILDCARD,
            new GatewayOutbound.ClientPeer(ALICE, ALICE_KEY, PSK, "100.64.0.2", null),
            null,
            null,
            0,
            name == null ? null : new ProxiedDomain(name, List.of(proxy))));
  }

  static InetAddress ip(String text) {
    return IpPrefix.parse(text).address();
  }

  @Test
  void resolvesThenInstallsTheTranslationAndAnswers() {
    List<GatewayCommand> out = agent.onMessage(authorize("r1", "web.svc.test", "100.96.0.9"), NOW);
    assertThat(out).containsExactly(new GatewayCommand.Resolve("r1", "web.svc.test"));
    assertThat(agent.flowCount()).isZero();

    out = agent.onResolved("r1", List.of(ip("fd00::5"), ip("10.20.0.5")), null, NOW);
    assertThat(out.get(0))
        .isInstanceOfSatisfying(
            GatewayCommand.UpsertClientPeer.class,
            u ->
                assertThat(u.access())
                    .singleElement()
                    .satisfies(
                        rule -> {
                          assertThat(rule.resourceId()).isEqualTo(SVC);
                          assertThat(rule.destination()).isEqualTo(IpPrefix.parse("10.20.0.5/32"));
                        }));
    assertThat(out.get(1))
        .isEqualTo(
            new GatewayCommand.SetClientNat(
                ALICE,
                IpPrefix.parse("100.64.0.2/32"),
                List.of(new GatewayCommand.NatMapping(ip("100.96.0.9"), ip("10.20.0.5")))));
    assertThat(out.get(2))
        .isEqualTo(
            new GatewayCommand.Reply(Envelope.of(null, new GatewayInbound.FlowAuthorized("r1"))));
    assertThat(agent.natMappings()).isEqualTo(1);

    // A second name under the same resource widens the translation, same peer.
    agent.onMessage(authorize("r2", "api.svc.test", "100.96.0.10"), NOW);
    out = agent.onResolved("r2", List.of(ip("10.20.0.6")), null, NOW);
    assertThat(out.get(0)).isInstanceOf(GatewayCommand.SetClientAccess.class);
    assertThat(((GatewayCommand.SetClientNat) out.get(1)).mappings()).hasSize(2);

    // Revoking the resource takes the peer and its translation away.
    out = agent.onMessage(Envelope.of(null, new GatewayOutbound.RejectAccess(ALICE, SVC)), NOW);
    assertThat(out.getFirst()).isInstanceOf(GatewayCommand.RemoveClientPeer.class);
    assertThat(agent.natMappings()).isZero();
  }

  @Test
  void aNameThatDoesNotResolveFailsTheFlowWithTheReason() {
    agent.onMessage(authorize("r1", "gone.svc.test", "100.96.0.9"), NOW);
    List<GatewayCommand> out = agent.onResolved("r1", null, "does not resolve", NOW);
    assertThat(out.getFirst())
        .isEqualTo(
            new GatewayCommand.Reply(
                Envelope.of(
                    null,
                    new GatewayInbound.FlowAuthorizationFailed(
                        "r1", "unresolvable", "gone.svc.test: does not resolve"))));
    assertThat(agent.clientCount()).isZero();
    assertThat(agent.onResolved("r1", List.of(ip("10.0.0.1")), null, NOW)).as("once").isEmpty();

    agent.onMessage(authorize("r2", "v6only.svc.test", "100.96.0.9"), NOW);
    var failed =
        (GatewayInbound.FlowAuthorizationFailed)
            ((GatewayCommand.Reply)
                    agent.onResolved("r2", List.of(ip("fd00::1")), null, NOW).getFirst())
                .envelope()
                .payload();
    assertThat(failed.detail()).contains("no IPv4 address");
  }

  @Test
  void namesOutsideTheResourceOrWithoutADomainAreRefused() {
    for (var bad :
        List.of(
            authorize("x", "a.b.svc.test", "100.96.0.9"),
            authorize("x", "web.other.test", "100.96.0.9"),
            authorize("x", "web.svc.test", "10.0.0.9"),
            authorize("x", null, null))) {
      List<GatewayCommand> out = agent.onMessage(bad, NOW);
      assertThat(out)
          .noneMatch(c -> c instanceof GatewayCommand.Resolve)
          .anySatisfy(
              c ->
                  assertThat(c)
                      .isInstanceOfSatisfying(
                          GatewayCommand.Reply.class,
                          r ->
                              assertThat(
                                      ((GatewayInbound.FlowAuthorizationFailed)
                                              r.envelope().payload())
                                          .reason())
                                  .isEqualTo("invalid_domain")));
    }
  }

  @Test
  void aNameInUseIsResolvedAgainAndMovesOnlyWhenItsAddressIsGone() {
    GatewayAgent refreshing = new GatewayAgent(30);
    refreshing.onMessage(authorize("r1", "db.svc.test", "100.96.0.9"), NOW);
    refreshing.onResolved("r1", List.of(ip("10.20.0.5")), null, NOW);

    assertThat(refreshing.tick(NOW + 29)).as("not yet due").isEmpty();
    String ref = GatewayAgent.REFRESH_REF + "db.svc.test";
    assertThat(refreshing.tick(NOW + 30))
        .containsExactly(new GatewayCommand.Resolve(ref, "db.svc.test"));
    assertThat(refreshing.tick(NOW + 31)).as("one lookup in flight per name").isEmpty();

    // Still in the answer (another address came too): nothing moves.
    assertThat(
            refreshing.onResolved(ref, List.of(ip("10.20.0.7"), ip("10.20.0.5")), null, NOW + 31))
        .isEmpty();
    assertThat(refreshing.tick(NOW + 60)).isEmpty();
    assertThat(refreshing.tick(NOW + 61)).hasSize(1);

    // Gone from the answer (the pod was replaced): the translation and the access follow.
    List<GatewayCommand> out = refreshing.onResolved(ref, List.of(ip("10.20.0.8")), null, NOW + 61);
    assertThat(out.get(0))
        .isInstanceOfSatisfying(
            GatewayCommand.SetClientAccess.class,
            a ->
                assertThat(a.access())
                    .singleElement()
                    .satisfies(
                        rule ->
                            assertThat(rule.destination())
                                .isEqualTo(IpPrefix.parse("10.20.0.8/32"))));
    assertThat(out.get(1))
        .isEqualTo(
            new GatewayCommand.SetClientNat(
                ALICE,
                IpPrefix.parse("100.64.0.2/32"),
                List.of(new GatewayCommand.NatMapping(ip("100.96.0.9"), ip("10.20.0.8")))));
    assertThat(out.get(2))
        .isInstanceOfSatisfying(
            GatewayCommand.Report.class, r -> assertThat(r.event()).isEqualTo("dns_changed"));
  }

  @Test
  void aFailedRefreshKeepsTheTranslationAndTriesAgainLater() {
    GatewayAgent refreshing = new GatewayAgent(30);
    refreshing.onMessage(authorize("r1", "db.svc.test", "100.96.0.9"), NOW);
    refreshing.onResolved("r1", List.of(ip("10.20.0.5")), null, NOW);
    String ref = GatewayAgent.REFRESH_REF + "db.svc.test";
    assertThat(refreshing.tick(NOW + 30)).hasSize(1);

    List<GatewayCommand> out = refreshing.onResolved(ref, null, "resolver timed out", NOW + 35);
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            GatewayCommand.Report.class,
            r -> assertThat(r.event()).isEqualTo("dns_refresh_failed"));
    assertThat(refreshing.natMappings()).isEqualTo(1);
    assertThat(refreshing.onResolved(ref, List.of(ip("fd00::1")), null, NOW + 36))
        .as("an IPv6-only answer changes nothing either")
        .singleElement()
        .isInstanceOf(GatewayCommand.Report.class);
    assertThat(refreshing.tick(NOW + 65)).isEmpty();
    assertThat(refreshing.tick(NOW + 66)).hasSize(1);

    // A revoked name is not looked up any more.
    refreshing.onMessage(Envelope.of(null, new GatewayOutbound.RejectAccess(ALICE, SVC)), NOW + 67);
    refreshing.onResolved(ref, List.of(ip("10.20.0.5")), null, NOW + 67);
    assertThat(refreshing.tick(NOW + 200)).isEmpty();
  }
}
