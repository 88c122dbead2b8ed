package dev.gatehouse.relay.turn;

import java.net.InetSocketAddress;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * RFC 8656 §12: the channel bindings of one allocation.
 *
 * <ul>
 *   <li>A binding maps one channel number to one peer transport address (IP and port), both ways; a
 *       channel cannot be bound to a second peer, nor a peer to a second channel.
 *   <li>Binding the same pair again refreshes it for {@code lifetimeNanos} (10 minutes).
 *   <li>An expired binding no longer carries data, but for {@code cooldownNanos} (5 minutes) its
 *       channel and its peer stay reserved: only the same pair may be bound again (the client's
 *       5-minute rule of §12, enforced here so a late ChannelData cannot reach a new peer).
 * </ul>
 *
 * <p>Range checks of channel numbers are the caller's; this class enforces the pairing rules.
 */
final class ChannelBindings {
  private final long lifetimeNanos;
  private final long cooldownNanos;
  private final Map<Integer, Binding> byChannel = new HashMap<>();
  private final Map<InetSocketAddress, Binding> byPeer = new HashMap<>();

  private static final class Binding {
    final int channel;
    final InetSocketAddress peer;
    long expiresAt;

    Binding(int channel, InetSocketAddress peer, long expiresAt) {
      this.channel = channel;
      this.peer = peer;
      this.expiresAt = expiresAt;
    }
  }

  /** The outcome of {@link #bind}. */
  sealed interface BindResult {}

  /** Bound; {@code refreshed} when the pair existed already. */
  record Bound(boolean refreshed) implements BindResult {}

  /** Refused with a reason phrase for the 400 response. */
  record Refused(String reason) implements BindResult {}

  ChannelBindings(long lifetimeNanos, long cooldownNanos) {
    this.lifetimeNanos = lifetimeNanos;
    this.cooldownNanos = cooldownNanos;
  }

  /** Binds or refreshes {@code channel} to {@code peer}, following the rules above. */
  BindResult bind(int channel, InetSocketAddress peer, long nowNanos) {
    expire(nowNanos);
    Binding ofChannel = byChannel.get(channel);
    Binding ofPeer = byPeer.get(peer);
    if (ofChannel != null && !ofChannel.peer.equals(peer)) {
      return new Refused(
          ofChannel.expiresAt - nowNanos > 0
              ? "Channel is bound to another peer"
              : "Channel was bound to another peer less than 5 minutes ago");
    }
    if (ofPeer != null && ofPeer.channel != channel) {
      return new Refused(
          ofPeer.expiresAt - nowNanos > 0
              ? "Peer is bound to another channel"
              : "Peer was bound to another channel less than 5 minutes ago");
    }
    if (ofChannel != null) {
      ofChannel.expiresAt = nowNanos + lifetimeNanos;
      return new Bound(true);
    }
    Binding b = new Binding(channel, peer, nowNanos + lifetimeNanos);
    byChannel.put(channel, b);
    byPeer.put(peer, b);
    return new Bound(false);
  }

  /** The peer of a live binding of {@code channel}, or null. */
  InetSocketAddress peerOf(int channel, long nowNanos) {
    Binding b = byChannel.get(channel);
    return b != null && b.expiresAt - nowNanos > 0 ? b.peer : null;
  }

  /** The channel of a live binding to {@code peer}, or -1. */
  int channelOf(InetSocketAddress peer, long nowNanos) {
    Binding b = byPeer.get(peer);
    return b != null && b.expiresAt - nowNanos > 0 ? b.channel : -1;
  }

  /** Forgets bindings whose cooldown is over. */
  void expire(long nowNanos) {
    for (Iterator<Binding> it = byChannel.values().iterator(); it.hasNext(); ) {
      Binding b = it.next();
      if (nowNanos - (b.expiresAt + cooldownNanos) >= 0) {
        it.remove();
        byPeer.remove(b.peer);
      }
    }
  }

  /** Bindings that are live or cooling down. */
  int size() {
    return byChannel.size();
  }
}
