package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every timer path of §6 with a fake clock: nothing sleeps. */
class TimersTest {
  private static final byte[] A_TO_B = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 20);
  private static final byte[] B_TO_A = Packets.ipv4Udp(DevicePair.B_IP, DevicePair.A_IP, 2, 1, 20);

  private static long initiations(List<byte[]> net) {
    return net.stream().filter(d -> d[0] == Protocol.TYPE_INITIATION).count();
  }

  private static long transports(List<byte[]> net) {
    return net.stream().filter(d -> d[0] == Protocol.TYPE_TRANSPORT).count();
  }

  @Test
  void initiatorRekeysAfterRekeyAfterTimeWhenSending() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.clock.advance(Duration.ofSeconds(119));
    p.aSends(A_TO_B);
    assertThat(initiations(p.toB)).isZero();
    p.toB.clear();
    p.clock.advance(Duration.ofSeconds(2));
    TunnelResult r = p.aSends(A_TO_B);
    assertThat(r).isInstanceOf(TunnelResult.WriteToNetwork.class); // old key still usable
    assertThat(initiations(p.toB)).isEqualTo(1);
    p.pump();
    assertThat(p.bAtA.handshakesCompleted()).isEqualTo(2);
    assertThat(p.aAtB.handshakesCompleted()).isEqualTo(2);
  }

  @Test
  void responderDoesNotRekeyOnTime() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.clock.advance(Duration.ofSeconds(121));
    p.bSends(B_TO_A);
    assertThat(initiations(p.toA)).isZero();
    assertThat(transports(p.toA)).isEqualTo(1);
  }

  @Test
  void keypairIsRejectedAfterRejectAfterTime() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.aSends(A_TO_B);
    byte[] old = p.toB.remove(0);
    p.clock.advance(Duration.ofSeconds(180));
    assertThat(p.deliverToB(old)).isEqualTo(TunnelResult.Dropped.of(DropReason.KEYPAIR_EXPIRED));
    // sending now stages the packet and starts a handshake instead of using the dead keypair
    p.toB.clear();
    assertThat(p.aSends(A_TO_B)).isEqualTo(TunnelResult.DONE);
    assertThat(initiations(p.toB)).isEqualTo(1);
    assertThat(transports(p.toB)).isZero();
    p.tunB.clear();
    p.pump();
    assertThat(p.tunB).hasSize(1); // the staged packet went out after the handshake
  }

  @Test
  void rekeyAfterMessagesAndRejectAfterMessages() {
    TimerConfig t = TimerConfig.defaults().withMessageLimits(5, 8);
    DevicePair p = new DevicePair(WireGuardDevice.Config.defaults().withTimers(t), null);
    p.handshake(); // A sent 1 data packet
    p.clock.advance(Duration.ofSeconds(6)); // initiations are rate-limited to one per REKEY_TIMEOUT
    p.toB.clear();
    for (int i = 0; i < 3; i++) {
      p.aSends(A_TO_B);
    }
    assertThat(initiations(p.toB)).isZero();
    p.aSends(A_TO_B); // 5th message: counter reaches REKEY_AFTER_MESSAGES
    assertThat(initiations(p.toB)).isEqualTo(1);
    p.toB.clear(); // the handshake is lost
    for (int i = 0; i < 3; i++) {
      assertThat(p.aSends(A_TO_B)).isInstanceOf(TunnelResult.WriteToNetwork.class);
    }
    // counter is 8 = REJECT_AFTER_MESSAGES: the keypair must not send any more
    assertThat(p.aSends(A_TO_B)).isEqualTo(TunnelResult.DONE);
    assertThat(transports(p.toB)).isEqualTo(3);
  }

  @Test
  void retransmitsAfterRekeyTimeoutWithJitterAndGivesUpAfterRekeyAttemptTime() {
    DevicePair p = new DevicePair();
    p.aSends(A_TO_B);
    assertThat(initiations(p.toB)).isEqualTo(1);
    p.clock.advance(Duration.ofMillis(4999));
    p.tick();
    assertThat(initiations(p.toB)).as("not before REKEY_TIMEOUT").isEqualTo(1);
    p.clock.advance(Duration.ofMillis(335)); // past 5 s + max jitter 333 ms
    p.tick();
    assertThat(initiations(p.toB)).isEqualTo(2);
    // keep losing them: 18 retransmissions in total (REKEY_ATTEMPT_TIME / REKEY_TIMEOUT)
    for (int i = 0; i < 40; i++) {
      p.clock.advance(Duration.ofMillis(5334));
      p.tick();
    }
    assertThat(initiations(p.toB)).isEqualTo(1 + 18);
    // after giving up, the staged packet is gone: a handshake completing now delivers nothing
    p.toB.clear();
    p.tunB.clear();
    p.aSends(A_TO_B); // new data starts a fresh attempt
    assertThat(initiations(p.toB)).isEqualTo(1);
    p.pump();
    assertThat(p.tunB).hasSize(1);
  }

  @Test
  void retransmissionJitterIsWithinBounds() {
    DevicePair p = new DevicePair();
    p.aSends(A_TO_B);
    p.clock.advance(Duration.ofMillis(5000));
    p.tick();
    long atFive = initiations(p.toB);
    p.clock.advance(Duration.ofMillis(333));
    p.tick();
    assertThat(atFive).isBetween(1L, 2L);
    assertThat(initiations(p.toB)).isEqualTo(2);
  }

  @Test
  void passiveKeepaliveAfterKeepaliveTimeout() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.toA.clear();
    p.clock.advance(Duration.ofSeconds(9));
    p.tick();
    assertThat(p.toA).isEmpty();
    p.clock.advance(Duration.ofSeconds(1));
    p.tick();
    assertThat(p.toA).hasSize(1);
    assertThat(p.toA.get(0)).hasSize(Protocol.TRANSPORT_MIN_SIZE); // empty keepalive
    p.pump();
    assertThat(p.tunA).isEmpty(); // keepalives are not delivered to the TUN
  }

  @Test
  void noKeepaliveWhenWeRepliedWithData() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.bSends(B_TO_A);
    p.toA.clear();
    p.clock.advance(Duration.ofSeconds(11));
    p.tick();
    assertThat(p.toA).isEmpty();
  }

  @Test
  void newHandshakeWhenSentDataGetsNoReply() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.clock.advance(Duration.ofSeconds(1));
    p.toB.clear();
    p.aSends(A_TO_B); // B never answers
    p.toB.clear();
    p.clock.advance(Duration.ofSeconds(14));
    p.tick();
    assertThat(initiations(p.toB)).isZero();
    p.clock.advance(Duration.ofMillis(1334)); // 15 s + jitter
    p.tick();
    assertThat(initiations(p.toB)).isEqualTo(1);
  }

  @Test
  void persistentKeepalive() {
    DevicePair p = new DevicePair();
    p.a.removePeer(p.bAtA);
    Peer b =
        p.a.addPeer(
            PeerConfig.of(p.bId.publicKey(), List.of(IpPrefix.parse("10.0.0.2/32")))
                .withEndpoint(DevicePair.B_ADDR)
                .withPersistentKeepalive(Duration.ofSeconds(25)));
    // with no session, the persistent keepalive brings one up
    p.clock.advance(Duration.ofSeconds(25));
    p.tick();
    assertThat(initiations(p.toB)).isEqualTo(1);
    p.pump();
    assertThat(b.handshakesCompleted()).isEqualTo(1);
    p.toB.clear();
    p.clock.advance(Duration.ofSeconds(24));
    p.tick();
    assertThat(transports(p.toB)).isZero();
    p.clock.advance(Duration.ofSeconds(1));
    p.tick();
    assertThat(transports(p.toB)).isEqualTo(1);
  }

  @Test
  void keysAreZeroedAfterThreeTimesRejectAfterTime() {
    DevicePair p = new DevicePair();
    p.handshake();
    assertThat(p.bAtA.currentKeypair()).isNotNull();
    p.clock.advance(Duration.ofSeconds(539));
    p.tick();
    assertThat(p.bAtA.currentKeypair()).isNotNull();
    p.clock.advance(Duration.ofSeconds(1));
    p.tick();
    assertThat(p.bAtA.currentKeypair()).isNull();
    assertThat(p.aAtB.currentKeypair()).isNull();
  }

  @Test
  void initiatorRekeysOnReceiveNearRejectAfterTime() {
    DevicePair p = new DevicePair();
    p.handshake();
    p.clock.advance(Duration.ofSeconds(164));
    p.bSends(B_TO_A);
    p.toB.clear();
    p.pump();
    assertThat(initiations(p.toB)).isZero();
    p.clock.advance(Duration.ofSeconds(1)); // 165 s = REJECT - KEEPALIVE - REKEY_TIMEOUT
    p.bSends(B_TO_A);
    p.deliverToA(p.toA.remove(0));
    assertThat(initiations(p.toB)).isEqualTo(1);
  }

  @Test
  void responderKeepsNextKeypairUntilFirstPacket() {
    DevicePair p = new DevicePair();
    p.aSends(A_TO_B);
    p.deliverToB(p.toB.remove(0)); // initiation -> response queued to A
    assertThat(p.aAtB.currentKeypair()).as("responder cannot send before confirmation").isNull();
    assertThat(p.bSends(B_TO_A)).isEqualTo(TunnelResult.DONE); // staged
    p.pump();
    assertThat(p.aAtB.currentKeypair()).isNotNull();
    assertThat(p.tunA).hasSize(1); // the staged packet was sent after confirmation
  }
}
