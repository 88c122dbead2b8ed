package dev.gatehouse.client.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class PeerLivenessTest {
  static final long S = 1_000_000_000L;
  static final Duration HANDSHAKE = Duration.ofSeconds(12);
  static final Duration DEAD = Duration.ofSeconds(15);

  final PeerLiveness peer = new PeerLiveness();

  @Test
  void aNewPeerNothingWasSentToIsNotFailedOver() {
    // A flow asked for again after a failover, not used yet: WireGuard has nothing to handshake
    // for.
    peer.peerAdded(0);
    peer.observe(new PeerProgress(0, 0, 0), 60 * S);
    assertThat(peer.failoverReason(60 * S, HANDSHAKE, DEAD)).isNull();
  }

  @Test
  void theHandshakeTimeoutCountsFromTheFirstPacketSent() {
    peer.peerAdded(0);
    peer.dataSent(30 * S, 1);
    assertThat(peer.failoverReason(41 * S, HANDSHAKE, DEAD)).isNull();
    assertThat(peer.failoverReason(43 * S, HANDSHAKE, DEAD)).startsWith("no handshake within 12 s");
  }

  @Test
  void aHandshakeStopsTheTimer() {
    peer.peerAdded(0);
    peer.dataSent(S, 1);
    peer.observe(new PeerProgress(1, 32, 96), 2 * S);
    assertThat(peer.failoverReason(60 * S, HANDSHAKE, DEAD)).isNull();
  }
}
