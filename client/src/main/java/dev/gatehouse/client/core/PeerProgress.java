package dev.gatehouse.client.core;

/**
 * What the tunnel has counted for one gateway peer, as {@link ClientAgent#tick} needs it to tell a
 * live gateway from a dead one. The counters start at zero when the shell (re)creates the peer.
 *
 * @param handshakes completed handshakes (either role)
 * @param rxBytes bytes of authenticated transport messages received (data and keepalives)
 * @param txBytes bytes of transport messages sent (data and keepalives)
 */
public record PeerProgress(long handshakes, long rxBytes, long txBytes) {

  /** A peer the tunnel does not have (yet): nothing counted. */
  public static final PeerProgress NONE = new PeerProgress(0, 0, 0);
}
