package dev.gatehouse.tunnel.wireguard;

import java.net.InetSocketAddress;

/**
 * What the caller of {@link WireGuardDevice} must do next, in the style of boringtun's {@code
 * TunnResult}. When a result carries bytes they are in the caller's {@code out} buffer between
 * position 0 and its limit. After any call the caller drains {@link WireGuardDevice#poll} until it
 * returns {@link Done}.
 */
public sealed interface TunnelResult {

  /** Nothing (more) to do. */
  Done DONE = new Done();

  /** Nothing to do. */
  record Done() implements TunnelResult {}

  /**
   * Send {@code out} as one UDP datagram to {@code endpoint}. {@code peer} is null for a cookie
   * reply to a source that is not (yet) authenticated.
   */
  record WriteToNetwork(Peer peer, InetSocketAddress endpoint) implements TunnelResult {}

  /** Write {@code out}, a decrypted and permitted IP packet from {@code peer}, to the TUN. */
  record WriteToTunnel(Peer peer) implements TunnelResult {}

  /** The input was dropped; it is counted under {@code reason}. Never an exception. */
  record Dropped(DropReason reason) implements TunnelResult {
    private static final Dropped[] CACHE = new Dropped[DropReason.values().length];

    static {
      for (DropReason r : DropReason.values()) {
        CACHE[r.ordinal()] = new Dropped(r);
      }
    }

    /** The shared instance for {@code reason} (no allocation on the drop path). */
    public static Dropped of(DropReason reason) {
      return CACHE[reason.ordinal()];
    }
  }
}
