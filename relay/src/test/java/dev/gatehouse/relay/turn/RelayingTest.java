package dev.gatehouse.relay.turn;

import static dev.gatehouse.relay.stun.TurnProtocol.*;
import static dev.gatehouse.relay.turn.AllocationsTest.toPeer;
import static dev.gatehouse.relay.turn.TurnHarness.at;
import static dev.gatehouse.relay.turn.TurnHarness.errorCode;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.ChannelData;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunAttribute.ChannelNumber;
import dev.gatehouse.relay.stun.StunAttribute.XorPeerAddress;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.turn.RelayAction.ToClient;
import dev.gatehouse.relay.turn.RelayAction.ToPeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Permissions (RFC 8656 §9–§10), Send/Data (§11), channels (§12) and the rate limit. */
class RelayingTest {
  static final InetSocketAddress ALICE = at("192.0.2.10", 40001);
  static final InetSocketAddress PEER_A = at("198.51.100.20", 5000);
  static final InetSocketAddress PEER_A_OTHER_PORT = at("198.51.100.20", 5001);
  static final InetSocketAddress PEER_B = at("198.51.100.21", 6000);
  static final byte[] HELLO = {'h', 'e', 'l', 'l', 'o'};

  final TurnHarness relay = new TurnHarness();
  final TurnHarness.Client alice = relay.client(ALICE, "alice");

  RelayingTest() {
    alice.allocate(new StunAttribute.Lifetime(3600)); // outlives the channel timers below
  }

  private static byte[] payload(ToPeer p) {
    return Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.length());
  }

  private static byte[] datagram(List<RelayAction> actions) {
    assertThat(actions).hasSize(1).first().isInstanceOf(ToClient.class);
    return ((ToClient) actions.get(0)).datagram();
  }

  private StunMessage permit(InetSocketAddress... peers) {
    StunAttribute[] attrs =
        Arrays.stream(peers).map(XorPeerAddress::new).toArray(StunAttribute[]::new);
    return alice.request(METHOD_CREATE_PERMISSION, attrs);
  }

  private StunMessage bind(int channel, InetSocketAddress peer) {
    return alice.request(METHOD_CHANNEL_BIND, new ChannelNumber(channel), new XorPeerAddress(peer));
  }

  // ---------------------------------------------------------------- permissions

  @Test
  void sendIndicationsNeedAPermissionForThePeersIp() {
    assertThat(alice.sendIndication(PEER_A, HELLO)).isEmpty();
    assertThat(relay.metrics.dropped(DropReason.NO_PERMISSION)).isEqualTo(1);

    assertThat(permit(PEER_A).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    ToPeer out = toPeer(alice.sendIndication(PEER_A, HELLO));
    assertThat(out.relay()).isEqualTo(alice.relay);
    assertThat(out.peer()).isEqualTo(PEER_A);
    assertThat(payload(out)).isEqualTo(HELLO);
    // permissions ignore the port
    assertThat(toPeer(alice.sendIndication(PEER_A_OTHER_PORT, HELLO)).peer())
        .isEqualTo(PEER_A_OTHER_PORT);
    assertThat(alice.sendIndication(PEER_B, HELLO)).isEmpty();
    assertThat(relay.metrics.bytesRelayed(RelayMetrics.Direction.CLIENT_TO_PEER)).isEqualTo(10);
  }

  @Test
  void peerDatagramsBecomeDataIndicationsOnlyWithAPermission() {
    assertThat(alice.fromPeer(PEER_A, HELLO)).isEmpty();
    permit(PEER_A);
    byte[] d = datagram(alice.fromPeer(PEER_A_OTHER_PORT, HELLO));
    StunMessage data =
        ((dev.gatehouse.relay.stun.StunParseResult.Parsed) StunMessage.parse(d, 0, d.length))
            .message();
    assertThat(data.messageClass()).isEqualTo(StunClass.INDICATION);
    assertThat(data.method()).isEqualTo(METHOD_DATA);
    assertThat(data.attribute(XorPeerAddress.class).address()).isEqualTo(PEER_A_OTHER_PORT);
    assertThat(data.attribute(StunAttribute.Data.class).bytes()).isEqualTo(HELLO);
    assertThat(data.hasIntegrity()).isFalse();
    assertThat(alice.fromPeer(PEER_B, HELLO)).isEmpty();
    assertThat(relay.metrics.dropped(DropReason.NO_PERMISSION)).isEqualTo(2);
  }

  @Test
  void permissionsLastFiveMinutesUnlessRefreshed() {
    permit(PEER_A, PEER_B);
    relay.advance(Duration.ofSeconds(250));
    permit(PEER_A); // refresh A only
    relay.advance(Duration.ofSeconds(50)); // t = 300 s: B has expired, A lives until 550 s
    assertThat(alice.sendIndication(PEER_B, HELLO)).isEmpty();
    assertThat(toPeer(alice.sendIndication(PEER_A, HELLO)).peer()).isEqualTo(PEER_A);
    relay.advance(Duration.ofSeconds(250)); // t = 550 s
    relay.poll();
    assertThat(alice.sendIndication(PEER_A, HELLO)).isEmpty();
    assertThat(alice.fromPeer(PEER_A, HELLO)).isEmpty();
  }

  @Test
  void createPermissionRefusesBadPeersAsAWhole() {
    assertThat(errorCode(alice.request(METHOD_CREATE_PERMISSION))).isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(permit(PEER_B, at("127.0.0.1", 9)))).isEqualTo(ERROR_FORBIDDEN);
    assertThat(errorCode(permit(at("169.254.169.254", 80)))).isEqualTo(ERROR_FORBIDDEN);
    assertThat(errorCode(permit(at("224.0.0.1", 80)))).isEqualTo(ERROR_FORBIDDEN);
    assertThat(errorCode(permit(at("2001:db8::1", 80))))
        .isEqualTo(ERROR_PEER_ADDRESS_FAMILY_MISMATCH);
    // nothing of the refused requests was installed
    assertThat(alice.sendIndication(PEER_B, HELLO)).isEmpty();
  }

  @Test
  void loopbackPeersCanBeAllowedForTests() {
    TurnHarness lab = TurnHarness.with(c -> c.withAllowLoopbackPeers(true));
    TurnHarness.Client c = lab.client(ALICE, "c");
    c.allocate();
    assertThat(
            c.request(METHOD_CREATE_PERMISSION, new XorPeerAddress(at("127.0.0.1", 9)))
                .messageClass())
        .isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  // ---------------------------------------------------------------- channels

  @Test
  void channelBindRulesOfRfc8656Section12() {
    assertThat(errorCode(bind(0x3FFF, PEER_A))).isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(bind(0x5000, PEER_A))).isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(alice.request(METHOD_CHANNEL_BIND, new ChannelNumber(0x4000))))
        .isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(bind(0x4000, at("2001:db8::2", 1))))
        .isEqualTo(ERROR_PEER_ADDRESS_FAMILY_MISMATCH);
    assertThat(errorCode(bind(0x4000, at("127.0.0.1", 1)))).isEqualTo(ERROR_FORBIDDEN);

    assertThat(bind(0x4000, PEER_A).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(bind(0x4000, PEER_A).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(errorCode(bind(0x4000, PEER_B))).isEqualTo(ERROR_BAD_REQUEST); // channel taken
    assertThat(errorCode(bind(0x4001, PEER_A))).isEqualTo(ERROR_BAD_REQUEST); // peer taken
    // the same IP on another port is another transport address
    assertThat(bind(0x4FFF, PEER_A_OTHER_PORT).messageClass())
        .isEqualTo(StunClass.SUCCESS_RESPONSE);
  }

  @Test
  void channelDataFlowsBothWaysAndTheBindingInstallsThePermission() {
    bind(0x4000, PEER_A);
    byte[] frame = ChannelData.encode(0x4000, HELLO, 0, HELLO.length, false);
    ToPeer out = toPeer(alice.send(frame));
    assertThat(out.peer()).isEqualTo(PEER_A);
    assertThat(payload(out)).isEqualTo(HELLO);
    assertThat(out.data()).isSameAs(frame); // no copy on the hot path

    byte[] back = datagram(alice.fromPeer(PEER_A, HELLO));
    assertThat(back).hasSize(12); // padded to 4 bytes by default
    ChannelData.Frame f = (ChannelData.Frame) ChannelData.parse(back, 0, back.length);
    assertThat(f.channel()).isEqualTo(0x4000);
    assertThat(Arrays.copyOfRange(back, 4, 4 + f.dataLength())).isEqualTo(HELLO);

    // the permission for A's IP also lets A's other port through, as a Data indication
    byte[] other = datagram(alice.fromPeer(PEER_A_OTHER_PORT, HELLO));
    assertThat(ChannelData.looksLikeChannelData(other[0])).isFalse();

    assertThat(alice.send(ChannelData.encode(0x4002, HELLO, 0, 5, true))).isEmpty();
    assertThat(relay.metrics.dropped(DropReason.NO_CHANNEL)).isEqualTo(1);
  }

  @Test
  void expiredBindingsStopCarryingDataAndCoolDownForFiveMinutes() {
    bind(0x4000, PEER_A);
    relay.advance(Duration.ofSeconds(290));
    permit(PEER_A, PEER_B);
    relay.advance(Duration.ofSeconds(290));
    permit(PEER_A, PEER_B);
    relay.advance(Duration.ofSeconds(20)); // t = 600 s: the binding has expired
    relay.poll();
    assertThat(alice.send(ChannelData.encode(0x4000, HELLO, 0, 5, true))).isEmpty();
    byte[] asIndication = datagram(alice.fromPeer(PEER_A, HELLO));
    assertThat(ChannelData.looksLikeChannelData(asIndication[0])).isFalse();

    relay.advance(Duration.ofSeconds(100)); // t = 700 s, in the cooldown
    assertThat(errorCode(bind(0x4000, PEER_B))).isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(bind(0x4001, PEER_A))).isEqualTo(ERROR_BAD_REQUEST);

    relay.advance(Duration.ofSeconds(200)); // t = 900 s: cooldown over
    assertThat(bind(0x4000, PEER_B).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(toPeer(alice.send(ChannelData.encode(0x4000, HELLO, 0, 5, true))).peer())
        .isEqualTo(PEER_B);
  }

  @Test
  void theSamePairMayBeRefreshedDuringTheCooldown() {
    bind(0x4000, PEER_A);
    relay.advance(Duration.ofSeconds(650));
    assertThat(bind(0x4000, PEER_A).messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(toPeer(alice.send(ChannelData.encode(0x4000, HELLO, 0, 5, false))).peer())
        .isEqualTo(PEER_A);
  }

  @Test
  void theLegacyRangeAcceptsCoturnsChannelNumbers() {
    TurnHarness legacy = TurnHarness.with(c -> c.withLegacyChannelRange(true));
    TurnHarness.Client c = legacy.client(ALICE, "c");
    c.allocate();
    StunMessage ok =
        c.request(METHOD_CHANNEL_BIND, new ChannelNumber(0x7cbb), new XorPeerAddress(PEER_A));
    assertThat(ok.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(toPeer(c.send(ChannelData.encode(0x7cbb, HELLO, 0, 5, true))).peer())
        .isEqualTo(PEER_A);
  }

  // ---------------------------------------------------------------- rate limit

  @Test
  void eachUsernameHasATokenBucketSharedByBothDirections() {
    TurnHarness limited = TurnHarness.with(c -> c.withRateLimit(1000, 1000));
    TurnHarness.Client c = limited.client(ALICE, "c");
    c.allocate();
    c.request(METHOD_CREATE_PERMISSION, new XorPeerAddress(PEER_A));
    byte[] big = new byte[600];
    assertThat(c.sendIndication(PEER_A, big)).hasSize(1);
    assertThat(c.fromPeer(PEER_A, big)).isEmpty(); // 400 tokens left
    assertThat(limited.metrics.dropped(DropReason.RATE_LIMITED)).isEqualTo(1);
    assertThat(c.fromPeer(PEER_A, new byte[400])).hasSize(1);

    TurnHarness.Client other = limited.client(at("192.0.2.99", 7), "other");
    other.allocate();
    other.request(METHOD_CREATE_PERMISSION, new XorPeerAddress(PEER_A));
    assertThat(other.sendIndication(PEER_A, big)).hasSize(1); // its own bucket

    limited.advance(Duration.ofMillis(600)); // 600 tokens flow back in
    assertThat(c.sendIndication(PEER_A, big)).hasSize(1);
    assertThat(c.sendIndication(PEER_A, new byte[1])).isEmpty();
  }
}
