package dev.gatehouse.client.core;

import java.time.Duration;
import java.util.Locale;

/**
 * Whether one gateway peer is alive, from what the client sent to it and what the tunnel counted
 * ({@link PeerProgress}). Three timers:
 *
 * <ul>
 *   <li>handshake: a new peer must complete a handshake within the handshake timeout of the first
 *       data sent to it (WireGuard handshakes on demand: a flow asked for again after a failover
 *       but not used yet has nothing to handshake for, and is no reason to leave a gateway);
 *   <li>dead peer, WireGuard's new-handshake timer (whitepaper §6.5): started by the first data
 *       packet sent after the last reply (keepalives do not start it: a live peer does not answer
 *       them), stopped by anything received, a handshake included;
 *   <li>stale: no handshake for a long time (an idle session has expired).
 * </ul>
 *
 * <p>Pure: time is an input. Counters are sampled on each tick, so a reply is noticed at most one
 * tick late.
 */
final class PeerLiveness {

  private boolean awaitingHandshake;
  private boolean handshakeDue;
  private long handshakeDueSinceNanos;
  private long handshakesSeen;
  private long lastHandshakeNanos;
  private long rxSeen;
  private long txSeen;
  private long lastReplyNanos;
  private long txAtLastReply;
  private boolean unanswered;
  private long unansweredSinceNanos;
  private long packetsSinceReply;

  /** A new peer for a new flow: it must complete a handshake, and nothing was sent to it yet. */
  void peerAdded(long now) {
    peerReplaced();
    awaitingHandshake = true;
    handshakeDue = false;
    lastReplyNanos = now;
    unanswered = false;
    packetsSinceReply = 0;
  }

  /** The shell re-created the peer (it does on every upsert): its counters start again at zero. */
  void peerReplaced() {
    handshakesSeen = 0;
    rxSeen = 0;
    txSeen = 0;
    txAtLastReply = 0;
  }

  /** Data packets went into this peer's tunnel (WireGuard's timersDataSent). */
  void dataSent(long now, int packets) {
    if (awaitingHandshake && !handshakeDue) {
      handshakeDue = true;
      handshakeDueSinceNanos = now;
    }
    if (!unanswered) {
      unanswered = true;
      unansweredSinceNanos = now;
    }
    packetsSinceReply += packets;
  }

  /** Takes in the tunnel's counters: a new handshake or received bytes are a reply. */
  void observe(PeerProgress p, long now) {
    if (p.handshakes() < handshakesSeen || p.rxBytes() < rxSeen || p.txBytes() < txSeen) {
      peerReplaced(); // the counters restarted; what the new peer counted is progress
    }
    boolean replied = false;
    if (p.handshakes() > handshakesSeen) {
      handshakesSeen = p.handshakes();
      lastHandshakeNanos = now;
      awaitingHandshake = false;
      replied = true;
    }
    if (p.rxBytes() > rxSeen) {
      rxSeen = p.rxBytes();
      replied = true;
    }
    txSeen = p.txBytes();
    if (replied) {
      lastReplyNanos = now;
      txAtLastReply = txSeen;
      unanswered = false;
      packetsSinceReply = 0;
    }
  }

  /** Why the peer should be failed over at {@code now}, or null while it looks alive. */
  String failoverReason(long now, Duration handshakeTimeout, Duration deadPeerAfter) {
    if (awaitingHandshake
        && handshakeDue
        && now - handshakeDueSinceNanos > handshakeTimeout.toNanos()) {
      return "no handshake within " + handshakeTimeout.toSeconds() + " s of the first packet";
    }
    if (unanswered && now - unansweredSinceNanos >= deadPeerAfter.toNanos()) {
      return "sent "
          + (txSeen - txAtLastReply)
          + " bytes ("
          + packetsSinceReply
          + " packets) since its last reply "
          + seconds(now - lastReplyNanos)
          + " s ago, nothing back for "
          + seconds(now - unansweredSinceNanos)
          + " s";
    }
    return null;
  }

  /** Whether an established peer has had no handshake for longer than {@code staleAfter}. */
  boolean stale(long now, Duration staleAfter) {
    return !awaitingHandshake && now - lastHandshakeNanos > staleAfter.toNanos();
  }

  @Override
  public String toString() {
    return "handshakes=" + handshakesSeen + " rx=" + rxSeen + " tx=" + txSeen;
  }

  private static String seconds(long nanos) {
    return String.format(Locale.ROOT, "%.1f", nanos / 1e9);
  }
}
