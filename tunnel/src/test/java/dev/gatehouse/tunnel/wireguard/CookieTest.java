package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** mac2 and cookie replies under load (§5.3, §5.4.7). */
class CookieTest {
  private static final byte[] A_TO_B = Packets.ipv4Udp(DevicePair.A_IP, DevicePair.B_IP, 1, 2, 40);

  private static DevicePair underLoad() {
    // threshold 0: B always considers itself under load
    return new DevicePair(WireGuardDevice.Config.defaults().withUnderLoadThreshold(0), null);
  }

  @Test
  void underLoadAnInitiationWithoutMac2GetsACookieThenTheRetrySucceeds() {
    DevicePair p = underLoad();
    p.aSends(A_TO_B);
    byte[] init = p.toB.remove(0);
    assertThat(Message.le32(init, 132)).as("no mac2 without a cookie").isZero();
    TunnelResult r = p.deliverToB(init);
    assertThat(r).isInstanceOf(TunnelResult.WriteToNetwork.class);
    assertThat(((TunnelResult.WriteToNetwork) r).peer()).isNull();
    byte[] reply = p.toA.remove(0);
    assertThat(reply).hasSize(Protocol.COOKIE_REPLY_SIZE);
    assertThat(reply[0]).isEqualTo(Protocol.TYPE_COOKIE_REPLY);
    assertThat(p.b.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
    assertThat(p.aAtB.handshakesCompleted()).isZero();

    assertThat(p.deliverToA(reply)).isEqualTo(TunnelResult.DONE);
    // the retransmission carries mac2 and is accepted
    p.clock.advance(Duration.ofMillis(5334));
    p.tick();
    assertThat(p.toB).hasSize(1);
    assertThat(Message.parse(p.toB.get(0), 0, p.toB.get(0).length))
        .isInstanceOf(Message.HandshakeInitiation.class);
    p.pump();
    // A is under load too: it demanded a cookie for B's response (responses are not
    // retransmitted; the initiator's next retry gets a response that carries mac2)
    assertThat(p.a.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
    assertThat(p.tunB).isEmpty();
    p.clock.advance(Duration.ofMillis(5334));
    p.tick();
    p.pump();
    assertThat(p.tunB).hasSize(1);
    assertThat(p.b.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
    assertThat(p.a.dropCount(DropReason.COOKIE_REQUIRED)).isEqualTo(1);
  }

  @Test
  void cookieIsBoundToTheSourceAddress() {
    DevicePair p = underLoad();
    p.aSends(A_TO_B);
    p.deliverToB(p.toB.remove(0));
    p.deliverToA(p.toA.remove(0));
    p.clock.advance(Duration.ofMillis(5334));
    p.tick();
    byte[] withMac2 = p.toB.remove(0);
    // same message from another address: mac2 invalid there, so another cookie reply
    ByteBuffer out = ByteBuffer.allocate(2048);
    TunnelResult r =
        p.b.decapsulate(ByteBuffer.wrap(withMac2), new InetSocketAddress("192.0.2.77", 4444), out);
    assertThat(r).isInstanceOf(TunnelResult.WriteToNetwork.class);
    assertThat(out.remaining()).isEqualTo(Protocol.COOKIE_REPLY_SIZE);
  }

  @Test
  void forgedCookieReplyIsDropped() {
    DevicePair p = underLoad();
    p.aSends(A_TO_B);
    p.deliverToB(p.toB.remove(0));
    byte[] reply = p.toA.remove(0);
    reply[40] ^= 1;
    assertThat(p.deliverToA(reply)).isEqualTo(TunnelResult.Dropped.of(DropReason.BAD_COOKIE));
  }

  @Test
  void cookieIsUsedForMac2UntilItGoesStale() {
    StaticIdentity responder = StaticIdentity.generate();
    CookieChecker checker = new CookieChecker(responder.publicKey());
    CookieGenerator g = new CookieGenerator(responder.publicKey());
    InetSocketAddress source = new InetSocketAddress("192.0.2.1", 51820);
    long now = 10_000_000_000L;
    byte[] msg = new byte[Protocol.INITIATION_SIZE];
    msg[0] = Protocol.TYPE_INITIATION;
    g.addMacs(msg, Message.HandshakeInitiation.MAC1_OFFSET, now);
    assertThat(g.hasFreshCookie(now)).isFalse();
    assertThat(checker.checkMac1(msg, Message.HandshakeInitiation.MAC1_OFFSET)).isTrue();
    byte[] reply =
        checker.createReply(msg, Message.HandshakeInitiation.MAC1_OFFSET, 7, source, now);
    assertThat(g.consumeCookieReply((Message.CookieReply) Message.parse(reply, 0, 64), now))
        .isTrue();
    // with the cookie, mac2 validates at the responder for that source address
    g.addMacs(msg, Message.HandshakeInitiation.MAC1_OFFSET, now + 1);
    assertThat(checker.checkMac2(msg, Message.HandshakeInitiation.MAC2_OFFSET, source, now + 1))
        .isTrue();
    // stale after COOKIE_REFRESH_TIME - REKEY_TIMEOUT (115 s): mac2 is zero again
    assertThat(g.hasFreshCookie(now + 114_000_000_000L)).isTrue();
    assertThat(g.hasFreshCookie(now + 115_000_000_000L)).isFalse();
    g.addMacs(msg, Message.HandshakeInitiation.MAC1_OFFSET, now + 115_000_000_000L);
    assertThat(java.util.Arrays.copyOfRange(msg, 132, 148)).containsOnly(0);
  }

  @Test
  void loadIsDetectedFromTheHandshakeRateAndWearsOff() {
    LoadMonitor m = new LoadMonitor(3);
    long t = 5_000_000_000L;
    assertThat(m.recordAndCheck(t)).isFalse();
    assertThat(m.recordAndCheck(t + 1)).isFalse();
    assertThat(m.recordAndCheck(t + 2)).isFalse();
    assertThat(m.recordAndCheck(t + 3)).isTrue(); // 4th in one second
    assertThat(m.recordAndCheck(t + 900_000_000L)).isTrue();
    assertThat(m.recordAndCheck(t + 2_100_000_000L)).isFalse();
  }

  @Test
  void perSourceRateLimitUnderLoad() throws Exception {
    LoadMonitor m = new LoadMonitor(0);
    var a = java.net.InetAddress.getByName("192.0.2.1");
    var b = java.net.InetAddress.getByName("192.0.2.2");
    long t = 1_000_000_000L;
    int allowed = 0;
    for (int i = 0; i < 10; i++) {
      if (m.allow(a, t)) {
        allowed++;
      }
    }
    assertThat(allowed).isEqualTo(5); // burst
    assertThat(m.allow(b, t)).isTrue(); // other sources unaffected
    assertThat(m.allow(a, t + 50_000_000L)).isTrue(); // 20/s refill
    assertThat(m.allow(a, t + 50_000_000L)).isFalse();
  }
}
