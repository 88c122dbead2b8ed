package dev.gatehouse.relay.turn;

import java.util.Locale;

/** Why the core dropped a datagram (the {@code reason} label of the drop counter). */
public enum DropReason {
  /** Neither STUN nor ChannelData, or a STUN message that failed to parse. */
  MALFORMED,
  /** A response, or an indication or method the relay does not serve. */
  UNEXPECTED_MESSAGE,
  /** A request without MESSAGE-INTEGRITY: answered with a 401 challenge. */
  UNAUTHENTICATED,
  /** Unknown, malformed or expired username, or a wrong MESSAGE-INTEGRITY: answered with 401. */
  BAD_CREDENTIALS,
  /** An expired or foreign nonce: answered with 438. */
  STALE_NONCE,
  /** An indication, ChannelData or peer datagram for which there is no allocation. */
  NO_ALLOCATION,
  /** No permission is installed for the peer's IP address. */
  NO_PERMISSION,
  /** ChannelData on a channel that is not bound. */
  NO_CHANNEL,
  /** The peer address is not allowed (loopback, link-local, multicast, unspecified). */
  FORBIDDEN_PEER,
  /** The credential's token bucket is empty. */
  RATE_LIMITED;

  /** The Prometheus label value. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }
}
