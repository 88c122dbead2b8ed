package dev.gatehouse.client.core;

import static dev.gatehouse.client.core.ClientAgentTest.DB;
import static dev.gatehouse.client.core.ClientAgentTest.GW1;
import static dev.gatehouse.client.core.ClientAgentTest.GW2;
import static dev.gatehouse.client.core.ClientAgentTest.GW2_KEY;
import static dev.gatehouse.client.core.ClientAgentTest.GW_KEY;
import static dev.gatehouse.client.core.ClientAgentTest.S;
import static dev.gatehouse.client.core.ClientAgentTest.WEB;
import static dev.gatehouse.client.core.ClientAgentTest.assertDelivers;
import static dev.gatehouse.client.core.ClientAgentTest.flowCreated;
import static dev.gatehouse.client.core.ClientAgentTest.init;
import static dev.gatehouse.client.core.ClientAgentTest.packet;
import static dev.gatehouse.client.core.ClientAgentTest.refOf;
import static dev.gatehouse.client.core.ClientAgentTest.resource;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Envelope;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Dead-peer detection with fake time: a gateway that was sent data and answers nothing for {@code
 * deadPeerAfter} (15 s by default) is failed over; live, idle and recovering gateways are kept.
 */
class ClientAgentDeadPeerTest {

  static final UUID APP = UUID.fromString("00000000-0000-4000-8000-0000000000a3");
  static final long MS = 1_000_000L;
  static final String WEB_IP = "10.0.0.5";
  static final String DB_IP = "10.0.0.6";
  static final String APP_IP = "10.0.0.7";

  final ClientAgent agent = new ClientAgent(ClientAgent.Settings.defaults());
  // The tunnel's counters for GW1 and GW2, as the shell would report them.
  long handshakes1;
  long rx1;
  long tx1;
  long handshakes2;
  long rx2;
  long tx2;

  @BeforeEach
  void webFlowViaGw1IsUp() throws Exception {
    agent.onMessage(
        init(resource(WEB, "ip", WEB_IP), resource(DB, "ip", DB_IP), resource(APP, "ip", APP_IP)),
        0);
    agent.onMessage(flowCreated(refOf(send(WEB_IP, 0).commands()), WEB, GW1, GW_KEY), S);
    handshakes1 = 1;
    rx1 = 32; // the initiator's confirmation keepalive went out; the first reply came back
    tx1 = 96;
    assertThat(tick(2 * S)).isEmpty();
  }

  ClientAgent.PacketDecision send(String dst, long now) throws Exception {
    byte[] p = packet(dst);
    tx1 += p.length + 32;
    return agent.onPacket(p, 0, p.length, now);
  }

  List<ClientCommand> tick(long now) {
    return agent.tick(
        now,
        Map.of(
            GW1, new PeerProgress(handshakes1, rx1, tx1),
            GW2, new PeerProgress(handshakes2, rx2, tx2)));
  }

  /** DB's flow goes via GW1 too; the shell replaced its peer (new counters), which handshook. */
  void dbFlowAlsoViaGw1() throws Exception {
    agent.onMessage(flowCreated(refOf(send(DB_IP, 3 * S).commands()), DB, GW1, GW_KEY), 3 * S);
    handshakes1 = 1;
    rx1 = 32;
    tx1 = 64;
    assertThat(tick(4 * S)).isEmpty();
  }

  static List<ClientCommand.Send> sends(List<ClientCommand> out) {
    return out.stream()
        .filter(c -> c instanceof ClientCommand.Send)
        .map(ClientCommand.Send.class::cast)
        .toList();
  }

  static ClientCommand.Report failoverReport(List<ClientCommand> out) {
    return out.stream()
        .filter(c -> c instanceof ClientCommand.Report r && r.event().equals("gateway_failover"))
        .map(ClientCommand.Report.class::cast)
        .findFirst()
        .orElseThrow(() -> new AssertionError("no gateway_failover in " + out));
  }

  @Test
  void aLiveGatewayThatRepliesIsNeverFailedOver() throws Exception {
    for (long t = 3 * S; t < 300 * S; t += 250 * MS) {
      assertThat(send(WEB_IP, t).verdict()).isEqualTo(ClientAgent.Verdict.FORWARD);
      if (t % (9 * S) == 0) {
        rx1 += 32; // at least a keepalive within KEEPALIVE_TIMEOUT
      }
      if (t % (120 * S) == 0) {
        handshakes1++; // rekey
      }
      assertThat(tick(t)).as("at %d ms", t / MS).isEmpty();
    }
    assertThat(agent.gatewayIds()).containsExactly(GW1);
  }

  @Test
  void oneWaySilenceAfterSendsFailsOverAtTheThresholdAndNotBefore() throws Exception {
    send(WEB_IP, 10 * S);
    for (long t = 10 * S; t < 25 * S; t += 250 * MS) {
      send(WEB_IP, t); // later sends do not move the deadline: it counts from the first
      assertThat(tick(t)).as("at %d ms", t / MS).isEmpty();
    }
    List<ClientCommand> out = tick(25 * S);
    assertThat(out)
        .anyMatch(c -> c instanceof ClientCommand.RemoveGatewayPeer r && r.gatewayId().equals(GW1));
    assertThat(failoverReport(out).detail())
        .contains("gateway " + GW1)
        .contains("sent " + (tx1 - 96) + " bytes (61 packets) since its last reply 23.0 s ago")
        .contains("nothing back for 15.0 s")
        .contains("asking for new flows for 1 resources");
    assertThat(agent.gatewayIds()).isEmpty();
  }

  @Test
  void anIdleGatewayIsNeverFailedOver() {
    for (long t = 3 * S; t < 190 * S; t += 250 * MS) {
      if (t % (25 * S) == 0) {
        tx1 += 32; // persistent keepalives go out and are never answered
      }
      assertThat(tick(t)).as("at %d ms", t / MS).isEmpty();
    }
    assertThat(agent.gatewayIds()).containsExactly(GW1);
  }

  @Test
  void aGatewayThatRepliesJustBeforeTheThresholdIsKept() throws Exception {
    send(WEB_IP, 10 * S);
    assertThat(tick(24 * S + 750 * MS)).isEmpty();
    rx1 += 32;
    assertThat(tick(25 * S - MS)).isEmpty();
    assertThat(tick(25 * S)).isEmpty();
    assertThat(tick(40 * S)).isEmpty(); // nothing sent since the reply
    send(WEB_IP, 41 * S); // a new deadline from the first unanswered send
    assertThat(tick(56 * S - MS)).isEmpty();
    assertThat(failoverReport(tick(56 * S)).detail()).contains("last reply 31.0 s ago");
  }

  @Test
  void aHandshakeCountsAsAReply() throws Exception {
    send(WEB_IP, 10 * S);
    handshakes1++;
    assertThat(tick(20 * S)).isEmpty();
    assertThat(tick(30 * S)).isEmpty();
  }

  @Test
  void failoverAsksAgainForEveryResourceOfTheGatewayAndHoldsNewPackets() throws Exception {
    dbFlowAlsoViaGw1();
    // APP goes through another gateway, which stays healthy.
    agent.onMessage(flowCreated(refOf(send(APP_IP, 4 * S).commands()), APP, GW2, GW2_KEY), 4 * S);
    handshakes2 = 1;
    rx2 = 32;
    assertThat(tick(5 * S)).isEmpty();

    send(WEB_IP, 6 * S);
    send(DB_IP, 6 * S);
    assertThat(tick(21 * S - MS)).isEmpty();
    List<ClientCommand> out = tick(21 * S);

    assertThat(out)
        .anyMatch(c -> c instanceof ClientCommand.RemoveGatewayPeer r && r.gatewayId().equals(GW1));
    assertThat(out)
        .noneMatch(
            c -> c instanceof ClientCommand.RemoveGatewayPeer r && r.gatewayId().equals(GW2));
    assertThat(failoverReport(out).detail()).contains("2 packets");
    List<ClientCommand.Send> again = sends(out);
    assertThat(again)
        .extracting(s -> s.envelope().payload())
        .containsExactlyInAnyOrder(
            new ClientInbound.CreateFlow(WEB, List.of(GW2)),
            new ClientInbound.CreateFlow(DB, List.of(GW2)));
    assertThat(agent.gatewayIds()).containsExactly(GW2);

    // New packets wait for the new flow and are delivered when it is up, as for a first flow.
    ClientAgent.PacketDecision held = send(WEB_IP, 22 * S);
    assertThat(held.verdict()).isEqualTo(ClientAgent.Verdict.HELD);
    assertThat(held.commands()).isEmpty(); // already asked
    send(WEB_IP, 22 * S);
    String webRef =
        again.stream()
            .filter(
                s -> ((ClientInbound.CreateFlow) s.envelope().payload()).resourceId().equals(WEB))
            .findFirst()
            .orElseThrow()
            .envelope()
            .ref();
    out = agent.onMessage(flowCreated(webRef, WEB, GW2, GW2_KEY), 23 * S);
    assertThat(out.getFirst())
        .isInstanceOfSatisfying(
            ClientCommand.UpsertGatewayPeer.class, u -> assertThat(u.gatewayId()).isEqualTo(GW2));
    assertDelivers(out, 2);
    assertThat(agent.flow(WEB)).isInstanceOf(ClientAgent.FlowState.Active.class);
  }

  @Test
  void aFailedGatewayIsNotPreferredUntilTheApiNodePicksItAgain() throws Exception {
    send(WEB_IP, 10 * S);
    List<ClientCommand> out = tick(25 * S);
    String webRef = refOf(out);
    // The API node still picks GW1 (it may not have noticed yet, or it came back): accepted,
    // because nothing better can be had, and it is eligible again.
    out = agent.onMessage(flowCreated(webRef, WEB, GW1, GW_KEY), 60 * S);
    assertThat(out.getFirst()).isInstanceOf(ClientCommand.UpsertGatewayPeer.class);
    assertThat(agent.gatewayIds()).containsExactly(GW1);
    ClientCommand.Send db = sends(send(DB_IP, 61 * S).commands()).getFirst();
    assertThat(db.envelope().payload()).isEqualTo(new ClientInbound.CreateFlow(DB, List.of(GW1)));
  }

  @Test
  void aPendingRequestThatPreferredTheFailedGatewayIsAskedAgain() throws Exception {
    String preferringGw1 = refOf(send(DB_IP, 11 * S).commands()); // names GW1 as connected
    send(WEB_IP, 10 * S);
    List<ClientCommand> out = tick(25 * S);
    assertThat(sends(out))
        .extracting(s -> s.envelope().payload())
        .containsExactlyInAnyOrder(
            new ClientInbound.CreateFlow(WEB, List.of()),
            new ClientInbound.CreateFlow(DB, List.of()));
    // The answer to the superseded request picks the failed gateway: ignored, packets stay held.
    out = agent.onMessage(flowCreated(preferringGw1, DB, GW1, GW_KEY), 25 * S + MS);
    assertThat(out)
        .singleElement()
        .isInstanceOfSatisfying(
            ClientCommand.Report.class, r -> assertThat(r.event()).isEqualTo("flow_ignored"));
    assertThat(agent.flow(DB))
        .isInstanceOfSatisfying(
            ClientAgent.FlowState.Pending.class, p -> assertThat(p.held()).hasSize(1));
  }

  @Test
  void countersThatRestartWithAReplacedPeerStillShowReplies() throws Exception {
    dbFlowAlsoViaGw1();
    rx1 = 5_000;
    tx1 = 5_000;
    assertThat(tick(4 * S + 250 * MS)).isEmpty();
    // DB is deleted: the shell re-creates GW1's peer with WEB only, counting from zero again.
    agent.onMessage(Envelope.of(null, new ClientOutbound.ResourceDeleted(DB)), 5 * S);
    handshakes1 = 0;
    rx1 = 0;
    tx1 = 0;
    assertThat(tick(5 * S + 250 * MS)).isEmpty();
    send(WEB_IP, 6 * S);
    handshakes1 = 1;
    rx1 = 64;
    assertThat(tick(7 * S)).isEmpty();
    assertThat(tick(30 * S)).isEmpty();
    assertThat(agent.gatewayIds()).containsExactly(GW1);
  }
}
