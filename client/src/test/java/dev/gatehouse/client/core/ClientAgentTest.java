package dev.gatehouse.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.RelaysPresence;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientAgentTest {

  static final UUID CLIENT = UUID.fromString("00000000-0000-4000-8000-00000000c001");
  static final UUID WEB = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
  static final UUID DB = UUID.fromString("00000000-0000-4000-8000-0000000000a2");
  static final UUID GW1 = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
  static final UUID GW2 = UUID.fromString("00000000-0000-4000-8000-0000000000f2");
  static final String GW_KEY = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
  static final String GW2_KEY = StaticIdentity.encodeKey(StaticIdentity.generate().publicKey());
  static final String PSK = StaticIdentity.encodeKey(new byte[32]);
  static final long S = 1_000_000_000L;

  final ClientAgent agent = new ClientAgent(settings(false));

  static ClientAgent.Settings settings(boolean ignoreRevocations) {
    return new ClientAgent.Settings(
        3,
        Duration.ofSeconds(15),
        Duration.ofSeconds(12),
        Duration.ofSeconds(5),
        Duration.ofSeconds(195),
        Duration.ofSeconds(15),
        ignoreRevocations);
  }

  static ResourceDescription resource(UUID id, String type, String address) {
    return new ResourceDescription(id, type, address, "dual", List.of(), List.of());
  }

  static Envelope<ClientOutbound> init(ResourceDescription... resources) {
    return Envelope.of(
        null,
        new ClientOutbound.Init(
            CLIENT, List.of(resources), new InterfaceAddresses("100.64.0.2", "fd00:2021:1111::2")));
  }

  static byte[] packet(String dst) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(28);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 28).putInt(0);
    b.put((byte) 64).put((byte) 17).putShort((short) 0);
    b.put(InetAddress.getByName("100.64.0.2").getAddress());
    b.put(InetAddress.getByName(dst).getAddress());
    b.putShort((short) 1000).putShort((short) 53).putShort((short) 8).putShort((short) 0);
    return b.array();
  }

  static Envelope<ClientOutbound> flowCreated(String ref, UUID resource, UUID gw, String key) {
    return Envelope.of(
        ref,
        new ClientOutbound.FlowCreated(
            resource,
            UUID.randomUUID(),
            PSK,
            UUID.randomUUID(),
            gw,
            key,
            "100.64.0.1",
            "fd00:2021:1111::1",
            "192.0.2.10:51820",
            null,
            null,
            0));
  }

  ClientAgent.PacketDecision send(String dst, long now) throws Exception {
    return send(agent, dst, now);
  }

  static ClientAgent.PacketDecision send(ClientAgent agent, String dst, long now) throws Exception {
    byte[] p = packet(dst);
    return agent.onPacket(p, 0, p.length, now);
  }

  static PeerProgress handshakes(long n) {
    return new PeerProgress(n, 0, 0);
  }

  /** {@code out} releases {@code n} held packets. */
  static void assertDelivers(List<ClientCommand> out, int n) {
    assertThat(out)
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        ClientCommand.Deliver.class, d -> assertThat(d.packets()).hasSize(n)));
  }

  static String refOf(List<ClientCommand> commands) {
    return commands.stream()
        .filter(c -> c instanceof ClientCommand.Send)
        .map(c -> ((ClientCommand.Send) c).envelope().ref())
        .findFirst()
        .orElseThrow();
  }

  @Test
  void renewedRelayCredentialsReplaceTheRelaysAndRepeatsChangeNothing() {
    agent.onMessage(init(), 0);
    Relay fresh = new Relay("relay-0", Relay.TURN, "203.0.113.7:3478", "2:s", "p2", 2);
    Envelope<ClientOutbound> presence =
        Envelope.of(null, new RelaysPresence(List.of(), List.of(fresh)));

    assertThat(agent.onMessage(presence, 0))
        .containsExactly(new ClientCommand.UseRelays(List.of(fresh)));
    assertThat(agent.onMessage(presence, 0)).isEmpty();
  }

  @Test
  void initConfiguresAddressesAndRoutesOnlyRoutableResources() {
    List<ClientCommand> out =
        agent.onMessage(
            init(
                resource(WEB, "ip", "10.0.0.5"),
                resource(DB, "cidr", "10.1.0.7/16"),
                resource(UUID.randomUUID(), "dns", "*.corp"),
                resource(UUID.randomUUID(), "internet", "")),
            0);
    assertThat(out)
        .contains(
            new ClientCommand.ConfigureInterface(
                IpPrefix.parse("100.64.0.2/32"), IpPrefix.parse("fd00:2021:1111::2/128")),
            new ClientCommand.AddRoute(IpPrefix.parse("10.0.0.5/32")),
            new ClientCommand.AddRoute(IpPrefix.parse("10.1.0.0/16")),
            // dns resources: the stub's address and the proxy range
            new ClientCommand.AddRoute(IpPrefix.parse("100.100.111.1/32")),
            new ClientCommand.AddRoute(IpPrefix.parse("100.96.0.0/11")));
    assertThat(out)
        .anyMatch(c -> c instanceof ClientCommand.Report r && r.event().contains("unsupported"));
  }

  @Test
  void reInitWithSameAddressesOnlyDiffsResources() {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5"), resource(DB, "ip", "10.0.0.6")), 0);
    List<ClientCommand> out = agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    assertThat(out).noneMatch(c -> c instanceof ClientCommand.ConfigureInterface);
    assertThat(out).noneMatch(c -> c instanceof ClientCommand.AddRoute);
    assertThat(out).contains(new ClientCommand.RemoveRoute(IpPrefix.parse("10.0.0.6/32")));
  }

  @Test
  void firstPacketRequestsAFlowAndHoldsPacketsUntilFlowCreated() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    ClientAgent.PacketDecision first = send("10.0.0.5", 1);
    assertThat(first.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    assertThat(first.commands()).hasSize(1);
    ClientCommand.Send sent = (ClientCommand.Send) first.commands().getFirst();
    assertThat(sent.envelope().payload()).isEqualTo(new ClientInbound.CreateFlow(WEB, List.of()));
    ClientAgent.PacketDecision second = send("10.0.0.5", 2);
    assertThat(second.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    assertThat(second.commands()).isEmpty(); // one create_flow per resource

    List<ClientCommand> out =
        agent.onMessage(flowCreated(sent.envelope().ref(), WEB, GW1, GW_KEY), 3);
    assertThat(out.get(0))
        .isInstanceOfSatisfying(
            ClientCommand.UpsertGatewayPeer.class,
            u -> {
              assertThat(u.gatewayId()).isEqualTo(GW1);
              assertThat(u.allowedIps()).containsExactly(IpPrefix.parse("10.0.0.5/32"));
              assertThat(u.endpoint()).isEqualTo("192.0.2.10:51820");
            });
    assertThat(out.get(1))
        .isInstanceOfSatisfying(
            ClientCommand.Deliver.class, d -> assertThat(d.packets()).hasSize(2));
    assertThat(send("10.0.0.5", 4).verdict()).isEqualTo(ClientAgent.Verdict.FORWARD);
  }

  @Test
  void heldPacketsAreBounded() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    String ref = refOf(send("10.0.0.5", 1).commands());
    for (int i = 0; i < 10; i++) {
      send("10.0.0.5", 2);
    }
    List<ClientCommand> out = agent.onMessage(flowCreated(ref, WEB, GW1, GW_KEY), 3);
    assertDelivers(out, 3);
    assertThat(agent.status().packetsDroppedWhileHolding()).isEqualTo(8);
  }

  @Test
  void packetsToUnknownDestinationsAreDropped() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    assertThat(send("10.9.9.9", 1).verdict()).isEqualTo(ClientAgent.Verdict.DROP);
  }

  @Test
  void flowCreationFailedDropsHeldPacketsAndBacksOff() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    String ref = refOf(send("10.0.0.5", 0).commands());
    List<ClientCommand> out =
        agent.onMessage(
            Envelope.of(
                ref,
                new ClientOutbound.FlowCreationFailed(
                    WEB, ClientOutbound.FlowCreationFailed.FORBIDDEN, List.of("remote_ip"))),
            S);
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            ClientCommand.Report.class,
            r -> {
              assertThat(r.event()).isEqualTo("flow_creation_failed");
              assertThat(r.detail()).contains("forbidden").contains("remote_ip");
            });
    assertThat(send("10.0.0.5", 2 * S).verdict()).isEqualTo(ClientAgent.Verdict.DROP);
    ClientAgent.PacketDecision retry = send("10.0.0.5", 7 * S);
    assertThat(retry.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    assertThat(retry.commands()).hasSize(1);
  }

  @Test
  void unansweredCreateFlowTimesOut() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    send("10.0.0.5", 0);
    assertThat(agent.tick(10 * S, Map.of())).isEmpty();
    assertThat(agent.tick(16 * S, Map.of()))
        .anyMatch(c -> c instanceof ClientCommand.Report r && r.detail().contains("no answer"));
    assertThat(agent.flow(WEB)).isInstanceOf(ClientAgent.FlowState.Failed.class);
  }

  @Test
  void resourceDeletedRemovesRouteAndPeerWhenItWasTheLastResource() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5"), resource(DB, "ip", "10.0.0.6")), 0);
    agent.onMessage(flowCreated(refOf(send("10.0.0.5", 0).commands()), WEB, GW1, GW_KEY), 1);
    agent.onMessage(flowCreated(refOf(send("10.0.0.6", 2).commands()), DB, GW1, GW_KEY), 3);

    List<ClientCommand> out =
        agent.onMessage(Envelope.of(null, new ClientOutbound.ResourceDeleted(WEB)), 4);
    assertThat(out).contains(new ClientCommand.RemoveRoute(IpPrefix.parse("10.0.0.5/32")));
    assertThat(out)
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        ClientCommand.UpsertGatewayPeer.class,
                        u ->
                            assertThat(u.allowedIps())
                                .containsExactly(IpPrefix.parse("10.0.0.6/32"))));
    assertThat(send("10.0.0.5", 5).verdict()).isEqualTo(ClientAgent.Verdict.DROP);

    out = agent.onMessage(Envelope.of(null, new ClientOutbound.ResourceDeleted(DB)), 6);
    assertThat(out)
        .anyMatch(c -> c instanceof ClientCommand.RemoveGatewayPeer r && r.gatewayId().equals(GW1));
  }

  @Test
  void aClientThatIgnoresRevocationsKeepsSendingSoOnlyTheGatewayCanStopIt() throws Exception {
    ClientAgent misbehaving = new ClientAgent(settings(true));
    misbehaving.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    ClientAgent.PacketDecision first = send(misbehaving, "10.0.0.5", 0);
    misbehaving.onMessage(flowCreated(refOf(first.commands()), WEB, GW1, GW_KEY), 1);

    List<ClientCommand> out =
        misbehaving.onMessage(Envelope.of(null, new ClientOutbound.ResourceDeleted(WEB)), 2);

    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            ClientCommand.Report.class, r -> assertThat(r.event()).isEqualTo("revocation_ignored"));
    assertThat(send(misbehaving, "10.0.0.5", 3).verdict()).isEqualTo(ClientAgent.Verdict.FORWARD);
  }

  @Test
  void secondResourceViaTheSameGatewayWidensItsAllowedIpsAndPrefersIt() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5"), resource(DB, "ip", "10.0.0.6")), 0);
    agent.onMessage(flowCreated(refOf(send("10.0.0.5", 0).commands()), WEB, GW1, GW_KEY), 1);
    ClientAgent.PacketDecision d = send("10.0.0.6", 2);
    ClientCommand.Send sent = (ClientCommand.Send) d.commands().getFirst();
    assertThat(((ClientInbound.CreateFlow) sent.envelope().payload()).connectedGatewayIds())
        .containsExactly(GW1);
    List<ClientCommand> out =
        agent.onMessage(flowCreated(sent.envelope().ref(), DB, GW1, GW_KEY), 3);
    assertThat(out.getFirst())
        .isInstanceOfSatisfying(
            ClientCommand.UpsertGatewayPeer.class,
            u ->
                assertThat(u.allowedIps())
                    .containsExactly(IpPrefix.parse("10.0.0.5/32"), IpPrefix.parse("10.0.0.6/32")));
  }

  @Test
  void failsOverWhenTheHandshakeTimesOut() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    agent.onMessage(flowCreated(refOf(send("10.0.0.5", 0).commands()), WEB, GW1, GW_KEY), S);
    assertThat(agent.tick(10 * S, Map.of(GW1, handshakes(0)))).isEmpty();
    List<ClientCommand> out = agent.tick(14 * S, Map.of(GW1, handshakes(0)));
    assertThat(out)
        .anyMatch(c -> c instanceof ClientCommand.RemoveGatewayPeer r && r.gatewayId().equals(GW1));
    ClientCommand.Send again =
        out.stream()
            .filter(c -> c instanceof ClientCommand.Send)
            .map(ClientCommand.Send.class::cast)
            .findFirst()
            .orElseThrow();
    assertThat(again.envelope().payload()).isEqualTo(new ClientInbound.CreateFlow(WEB, List.of()));
    // packets while the new flow is pending are held again; the new gateway takes over
    assertThat(send("10.0.0.5", 15 * S).verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    out = agent.onMessage(flowCreated(again.envelope().ref(), WEB, GW2, GW2_KEY), 16 * S);
    assertThat(out.getFirst()).isInstanceOf(ClientCommand.UpsertGatewayPeer.class);
    assertThat(agent.gatewayIds()).containsExactly(GW2);
  }

  @Test
  void aCompletedHandshakeKeepsTheGateway() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    agent.onMessage(flowCreated(refOf(send("10.0.0.5", 0).commands()), WEB, GW1, GW_KEY), S);
    assertThat(agent.tick(2 * S, Map.of(GW1, handshakes(1)))).isEmpty();
    assertThat(agent.tick(60 * S, Map.of(GW1, handshakes(1)))).isEmpty();
    assertThat(agent.gatewayIds()).containsExactly(GW1);
  }

  @Test
  void unrequestedFlowCreatedIsIgnored() {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    List<ClientCommand> out = agent.onMessage(flowCreated("99", WEB, GW1, GW_KEY), 1);
    assertThat(out).singleElement().isInstanceOf(ClientCommand.Report.class);
  }

  @Test
  void errorReplyToCreateFlowFailsThatFlow() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    String ref = refOf(send("10.0.0.5", 0).commands());
    agent.onMessage(
        Envelope.of(ref, new dev.gatehouse.protocol.ErrorReply("rate_limited", "slow down")), 1);
    assertThat(agent.flow(WEB)).isInstanceOf(ClientAgent.FlowState.Failed.class);
  }

  @Test
  void aGatewayWithoutHandshakesForTooLongIsForgottenAndTheNextPacketAsksAgain() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    agent.onMessage(flowCreated(refOf(send("10.0.0.5", 0).commands()), WEB, GW1, GW_KEY), 0);
    assertThat(agent.tick(S, Map.of(GW1, handshakes(1)))).isEmpty();
    assertThat(agent.tick(121 * S, Map.of(GW1, handshakes(2)))).isEmpty(); // rekeyed: progress
    assertThat(agent.tick(300 * S, Map.of(GW1, handshakes(2)))).isEmpty();
    List<ClientCommand> out = agent.tick(317 * S, Map.of(GW1, handshakes(2)));
    assertThat(out).anyMatch(c -> c instanceof ClientCommand.RemoveGatewayPeer);
    assertThat(agent.flow(WEB)).isNull();
    ClientAgent.PacketDecision next = send("10.0.0.5", 318 * S);
    assertThat(next.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    assertThat(next.commands()).singleElement().isInstanceOf(ClientCommand.Send.class);
  }

  @Test
  void aReconnectReSendsPendingFlowRequestsAndKeepsTheHeldPackets() throws Exception {
    agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 0);
    String first = refOf(send("10.0.0.5", 0).commands());
    send("10.0.0.5", 1);
    List<ClientCommand> out = agent.onMessage(init(resource(WEB, "ip", "10.0.0.5")), 2 * S);
    String second = refOf(out);
    assertThat(second).isNotEqualTo(first);
    // Whichever answer comes first creates the flow (an old one is still a valid flow) ...
    out = agent.onMessage(flowCreated(first, WEB, GW1, GW_KEY), 3 * S);
    assertDelivers(out, 2);
    // ... and the other one is ignored.
    assertThat(agent.onMessage(flowCreated(second, WEB, GW1, GW_KEY), 3 * S))
        .singleElement()
        .isInstanceOf(ClientCommand.Report.class);
  }
}
