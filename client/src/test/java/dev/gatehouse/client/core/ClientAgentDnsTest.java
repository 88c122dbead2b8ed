package dev.gatehouse.client.core;

import static dev.gatehouse.client.core.ClientAgentTest.GW1;
import static dev.gatehouse.client.core.ClientAgentTest.GW_KEY;
import static dev.gatehouse.client.core.ClientAgentTest.flowCreated;
import static dev.gatehouse.client.core.ClientAgentTest.init;
import static dev.gatehouse.client.core.ClientAgentTest.refOf;
import static dev.gatehouse.client.core.ClientAgentTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.client.core.dns.DnsMessage;
import dev.gatehouse.client.core.dns.DnsTestPackets;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The agent with a DNS resource: stub answers, proxy addresses, one create_flow per name. */
class ClientAgentDnsTest {

  static final UUID SVC = UUID.fromString("00000000-0000-4000-8000-0000000000d1");

  final ClientAgent agent = new ClientAgent(ClientAgent.Settings.defaults());

  /** Asks the stub for {@code name}; returns the proxy address it answered. */
  byte[] resolve(String name) {
    byte[] q = DnsTestPackets.packet(5, name, DnsMessage.TYPE_A);
    ClientAgent.PacketDecision d = agent.onPacket(q, 0, q.length, 0);
    assertThat(d.verdict()).isEqualTo(ClientAgent.Verdict.LOCAL);
    byte[] answer =
        d.commands().stream()
            .filter(ClientCommand.WriteToTun.class::isInstance)
            .map(c -> ((ClientCommand.WriteToTun) c).packet())
            .findFirst()
            .orElseThrow();
    return DnsTestPackets.answers(Arrays.copyOfRange(answer, 28, answer.length)).getFirst();
  }

  static byte[] tcpTo(byte[] dst) {
    byte[] p = new byte[40];
    p[0] = 0x45;
    p[3] = 40;
    p[9] = 6;
    System.arraycopy(DnsTestPackets.CLIENT, 0, p, 12, 4);
    System.arraycopy(dst, 0, p, 16, 4);
    return p;
  }

  static String text(byte[] ip) {
    return (ip[0] & 0xff) + "." + (ip[1] & 0xff) + "." + (ip[2] & 0xff) + "." + (ip[3] & 0xff);
  }

  static void assertPeerAllows(List<ClientCommand> out, byte[]... proxies) {
    IpPrefix[] expected =
        Arrays.stream(proxies).map(p -> IpPrefix.parse(text(p) + "/32")).toArray(IpPrefix[]::new);
    assertThat(out)
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        ClientCommand.UpsertGatewayPeer.class,
                        u -> assertThat(u.allowedIps()).containsExactlyInAnyOrder(expected)));
  }

  @Test
  void aNameUnderAResourceFlowsWithItsDomainAndRoutesItsProxyAddress() throws Exception {
    agent.onMessage(init(resource(SVC, "dns", "*.svc.test")), 0);
    byte[] web = resolve("web.svc.test");

    byte[] syn = tcpTo(web);
    ClientAgent.PacketDecision d = agent.onPacket(syn, 0, syn.length, 0);
    assertThat(d.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    var send = (ClientCommand.Send) d.commands().getFirst();
    assertThat(send.envelope().payload())
        .isEqualTo(
            new ClientInbound.CreateFlow(
                SVC, List.of(), new ProxiedDomain("web.svc.test", List.of(text(web)))));

    List<ClientCommand> out =
        agent.onMessage(flowCreated(refOf(d.commands()), SVC, GW1, GW_KEY), 0);
    assertPeerAllows(out, web);
    ClientAgentTest.assertDelivers(out, 1);
    assertThat(agent.onPacket(syn, 0, syn.length, 0).verdict())
        .isEqualTo(ClientAgent.Verdict.FORWARD);

    // A second name under the same wildcard: its own create_flow, same resource, new domain.
    byte[] api = resolve("api.svc.test");
    byte[] toApi = tcpTo(api);
    ClientAgent.PacketDecision second = agent.onPacket(toApi, 0, toApi.length, 0);
    assertThat(second.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    var create =
        (ClientInbound.CreateFlow)
            ((ClientCommand.Send) second.commands().getFirst()).envelope().payload();
    assertThat(create.resourceId()).isEqualTo(SVC);
    assertThat(create.connectedGatewayIds()).containsExactly(GW1);
    assertThat(create.domain().name()).isEqualTo("api.svc.test");
    List<ClientCommand> widened =
        agent.onMessage(flowCreated(refOf(second.commands()), SVC, GW1, GW_KEY), 0);
    assertPeerAllows(widened, web, api);
    assertThat(agent.status().dns().answered()).isEqualTo(2);
    assertThat(agent.status().dnsNames()).containsKeys("web.svc.test", "api.svc.test");
  }

  @Test
  void anUnresolvableNameFailsItsFlowWithTheGatewaysReason() throws Exception {
    agent.onMessage(init(resource(SVC, "dns", "*.svc.test")), 0);
    byte[] syn = tcpTo(resolve("gone.svc.test"));
    ClientAgent.PacketDecision d = agent.onPacket(syn, 0, syn.length, 0);
    List<ClientCommand> out =
        agent.onMessage(
            Envelope.of(
                refOf(d.commands()),
                new ClientOutbound.FlowCreationFailed(
                    SVC, "unresolvable", List.of(), "gone.svc.test: no address")),
            0);
    assertThat(out)
        .anySatisfy(
            c ->
                assertThat(c)
                    .isInstanceOfSatisfying(
                        ClientCommand.Report.class,
                        r ->
                            assertThat(r.detail())
                                .contains("unresolvable", "gone.svc.test: no address")));
    assertThat(agent.onPacket(syn, 0, syn.length, 1).verdict()).isEqualTo(ClientAgent.Verdict.DROP);
  }

  @Test
  void deletingTheLastDnsResourceRemovesItsRoutesAndNames() throws Exception {
    agent.onMessage(init(resource(SVC, "dns", "*.svc.test")), 0);
    byte[] web = resolve("web.svc.test");
    List<ClientCommand> out =
        agent.onMessage(Envelope.of(null, new ClientOutbound.ResourceDeleted(SVC)), 0);
    assertThat(out)
        .contains(
            new ClientCommand.RemoveRoute(ClientAgent.PROXY_RANGE),
            new ClientCommand.RemoveRoute(ClientAgent.STUB_ROUTE));
    byte[] syn = tcpTo(web);
    assertThat(agent.onPacket(syn, 0, syn.length, 0).verdict()).isEqualTo(ClientAgent.Verdict.DROP);
    // Without the resource the stub no longer answers the name (and has no upstream).
    byte[] q = DnsTestPackets.packet(5, "web.svc.test", DnsMessage.TYPE_A);
    var answer = (ClientCommand.WriteToTun) agent.onPacket(q, 0, q.length, 0).commands().getFirst();
    assertThat(
            DnsTestPackets.rcode(Arrays.copyOfRange(answer.packet(), 28, answer.packet().length)))
        .isEqualTo(DnsMessage.RCODE_REFUSED);
  }
}
