package dev.gatehouse.gateway.agent;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Filter;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.RelaysPresence;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.filter.FilterRule;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class GatewayAgentTest {

  static final UUID GATEWAY = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
  static final UUID ALICE = UUID.fromString("00000000-0000-4000-8000-00000000c001");
  static final UUID BOB = UUID.fromString("00000000-0000-4000-8000-00000000c002");
  static final UUID WEB = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
  static final UUID DB = UUID.fromString("00000000-0000-4000-8000-0000000000a2");
  static final String ALICE_KEY = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
  static final String PSK = StaticIdentity.encodeKey(new byte[32]);
  static final long NOW = 1_800_000_000L;

  final GatewayAgent agent = new GatewayAgent();

  static ResourceDescription web(Filter... filters) {
    return new ResourceDescription(WEB, "ip", "10.0.0.5", "dual", List.of(filters), List.of());
  }

  static ResourceDescription db() {
    return new ResourceDescription(DB, "cidr", "10.1.0.0/16", "dual", List.of(), List.of());
  }

  static Envelope<GatewayOutbound> authorize(
      String ref, UUID client, String key, ResourceDescription r, long expiresAt) {
    return Envelope.of(
        null,
        new GatewayOutbound.AuthorizeFlow(
            ref,
            UUID.randomUUID(),
            r,
            new GatewayOutbound.ClientPeer(client, key, PSK, "100.64.0.2", "fd00:2021:1111::2"),
            null,
            null,
            expiresAt));
  }

  static Envelope<GatewayOutbound> init(GatewayOutbound.Authorization... auths) {
    return Envelope.of(
        null,
        new GatewayOutbound.Init(
            GATEWAY,
            List.of(auths),
            new InterfaceAddresses("100.64.0.1", "fd00:2021:1111::1"),
            null));
  }

  @Test
  void renewedRelayCredentialsReplaceTheRelaysAndRepeatsChangeNothing() {
    agent.onMessage(init(), NOW);
    Relay fresh = new Relay("relay-0", Relay.TURN, "203.0.113.7:3478", "2:s", "p2", 2);
    Envelope<GatewayOutbound> presence =
        Envelope.of(null, new RelaysPresence(List.of(), List.of(fresh)));

    assertThat(agent.onMessage(presence, NOW))
        .containsExactly(new GatewayCommand.UseRelays(List.of(fresh)));
    assertThat(agent.onMessage(presence, NOW)).isEmpty();
  }

  @Test
  void initConfiguresTheInterfaceOnceAndMasqueradesByDefault() {
    List<GatewayCommand> out = agent.onMessage(init(), NOW);
    assertThat(out.getFirst())
        .isEqualTo(
            new GatewayCommand.ConfigureInterface(
                IpPrefix.parse("100.64.0.1/32"),
                IpPrefix.parse("fd00:2021:1111::1/128"),
                true,
                true));
    assertThat(agent.onMessage(init(), NOW))
        .noneMatch(c -> c instanceof GatewayCommand.ConfigureInterface);
  }

  @Test
  void authorizeFlowAddsThePeerWithAccessAndAnswersFlowAuthorized() {
    List<GatewayCommand> out =
        agent.onMessage(
            authorize("r1", ALICE, ALICE_KEY, web(new Filter("tcp", 80, 80)), NOW + 60), NOW);
    assertThat(out.get(0))
        .isInstanceOfSatisfying(
            GatewayCommand.UpsertClientPeer.class,
            u -> {
              assertThat(u.clientId()).isEqualTo(ALICE);
              assertThat(u.allowedIps())
                  .containsExactly(
                      IpPrefix.parse("100.64.0.2/32"), IpPrefix.parse("fd00:2021:1111::2/128"));
              assertThat(u.access())
                  .containsExactly(
                      new AccessRule(
                          WEB,
                          IpPrefix.parse("10.0.0.5/32"),
                          List.of(new FilterRule.PermitPorts(FilterRule.Protocol.TCP, 80, 80))));
            });
    assertThat(out.get(1))
        .isEqualTo(
            new GatewayCommand.Reply(Envelope.of(null, new GatewayInbound.FlowAuthorized("r1"))));
    assertThat(agent.flowCount()).isEqualTo(1);
  }

  @Test
  void aSecondResourceForTheSameClientOnlyWidensAccess() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    List<GatewayCommand> out = agent.onMessage(authorize("r2", ALICE, ALICE_KEY, db(), 0), NOW);
    assertThat(out.getFirst())
        .isInstanceOfSatisfying(
            GatewayCommand.SetClientAccess.class,
            s ->
                assertThat(s.access()).extracting(AccessRule::resourceId).containsExactly(WEB, DB));
    assertThat(agent.clientCount()).isEqualTo(1);
    assertThat(agent.flowCount()).isEqualTo(2);
  }

  @Test
  void aNewClientKeyReplacesThePeer() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    String newKey = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
    List<GatewayCommand> out = agent.onMessage(authorize("r2", ALICE, newKey, web(), 0), NOW);
    assertThat(out.getFirst()).isInstanceOf(GatewayCommand.UpsertClientPeer.class);
  }

  @Test
  void rejectAccessRemovesOneResourceThenThePeer() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    agent.onMessage(authorize("r2", ALICE, ALICE_KEY, db(), 0), NOW);
    List<GatewayCommand> out =
        agent.onMessage(Envelope.of(null, new GatewayOutbound.RejectAccess(ALICE, WEB)), NOW);
    assertThat(out.getFirst())
        .isInstanceOfSatisfying(
            GatewayCommand.SetClientAccess.class,
            s -> assertThat(s.access()).extracting(AccessRule::resourceId).containsExactly(DB));
    out = agent.onMessage(Envelope.of(null, new GatewayOutbound.RejectAccess(ALICE, DB)), NOW);
    assertThat(out.getFirst())
        .isInstanceOfSatisfying(
            GatewayCommand.RemoveClientPeer.class, r -> assertThat(r.clientId()).isEqualTo(ALICE));
    assertThat(agent.flowCount()).isZero();
  }

  @Test
  void rejectAccessForAnUnknownPairIsOnlyReported() {
    List<GatewayCommand> out =
        agent.onMessage(Envelope.of(null, new GatewayOutbound.RejectAccess(BOB, WEB)), NOW);
    assertThat(out).singleElement().isInstanceOf(GatewayCommand.Report.class);
  }

  @Test
  void resourceUpdatedChangesTheFiltersOfEveryClientUsingIt() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    String bobKey = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
    agent.onMessage(authorize("r2", BOB, bobKey, web(), 0), NOW);
    List<GatewayCommand> out =
        agent.onMessage(
            Envelope.of(null, new GatewayOutbound.ResourceUpdated(web(new Filter("udp", 53, 53)))),
            NOW);
    assertThat(out)
        .hasSize(2)
        .allSatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        GatewayCommand.SetClientAccess.class,
                        s ->
                            assertThat(s.access().getFirst().rules())
                                .containsExactly(
                                    new FilterRule.PermitPorts(FilterRule.Protocol.UDP, 53, 53))));
  }

  @Test
  void accessExpiresOnTickAndExpiryCanBeMoved() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), NOW + 60), NOW);
    assertThat(agent.tick(NOW + 59)).isEmpty();
    agent.onMessage(
        Envelope.of(
            null, new GatewayOutbound.AccessAuthorizationExpiryUpdated(ALICE, WEB, NOW + 120)),
        NOW);
    assertThat(agent.tick(NOW + 60)).isEmpty();
    assertThat(agent.tick(NOW + 120)).anyMatch(c -> c instanceof GatewayCommand.RemoveClientPeer);
  }

  @Test
  void expiryMovedIntoThePastRevokesAtOnce() {
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    List<GatewayCommand> out =
        agent.onMessage(
            Envelope.of(
                null, new GatewayOutbound.AccessAuthorizationExpiryUpdated(ALICE, WEB, NOW - 1)),
            NOW);
    assertThat(out).anyMatch(c -> c instanceof GatewayCommand.RemoveClientPeer);
  }

  @Test
  void reInitDropsAccessTheApiNoLongerListsAndKeepsTheRest() {
    agent.onMessage(init(), NOW);
    agent.onMessage(authorize("r1", ALICE, ALICE_KEY, web(), 0), NOW);
    agent.onMessage(authorize("r2", ALICE, ALICE_KEY, db(), 0), NOW);
    List<GatewayCommand> out =
        agent.onMessage(init(new GatewayOutbound.Authorization(ALICE, DB, NOW + 300)), NOW);
    assertThat(out)
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        GatewayCommand.SetClientAccess.class,
                        s ->
                            assertThat(s.access())
                                .extracting(AccessRule::resourceId)
                                .containsExactly(DB)));
    assertThat(agent.grants(ALICE)).containsEntry(DB, NOW + 300).doesNotContainKey(WEB);
  }

  @Test
  void unsupportedResourcesAndExpiredFlowsAreNotAuthorized() {
    ResourceDescription internet =
        new ResourceDescription(WEB, "internet", "", "dual", List.of(), List.of());
    assertThat(agent.onMessage(authorize("r1", ALICE, ALICE_KEY, internet, 0), NOW))
        .singleElement()
        .isInstanceOf(GatewayCommand.Report.class);
    assertThat(agent.onMessage(authorize("r2", ALICE, ALICE_KEY, web(), NOW - 1), NOW))
        .singleElement()
        .isInstanceOf(GatewayCommand.Report.class);
    assertThat(agent.onMessage(authorize("r3", ALICE, "not-a-key", web(), 0), NOW))
        .singleElement()
        .isInstanceOf(GatewayCommand.Report.class);
    assertThat(agent.clientCount()).isZero();
  }

  @Test
  void filtersMapToTunnelRules() {
    assertThat(AccessRule.rulesOf(List.of())).containsExactly(new FilterRule.PermitAll());
    assertThat(
            AccessRule.rulesOf(
                List.of(
                    new Filter("tcp", 443, 443),
                    new Filter("icmp", 0, 0),
                    new Filter("udp", 0, 0))))
        .containsExactly(
            new FilterRule.PermitPorts(FilterRule.Protocol.TCP, 443, 443),
            new FilterRule.PermitIcmpEcho(),
            new FilterRule.PermitPorts(FilterRule.Protocol.UDP, 0, 65535));
    assertThat(AccessRule.rulesOf(List.of(new Filter("sctp", 1, 2))))
        .containsExactly(new FilterRule.DenyAll());
  }
}
