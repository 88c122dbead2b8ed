package dev.gatehouse.tunnel.wireguard;

/** Why the core dropped a datagram or packet; each reason has a counter. */
public enum DropReason {
  /** Not a well-formed WireGuard message (length, type, reserved bytes). */
  MALFORMED,
  /** A handshake message whose mac1 is wrong (not for us, or tampered). */
  BAD_MAC1,
  /** Under load, a handshake message without a valid mac2: answered with a cookie reply. */
  COOKIE_REQUIRED,
  /** Under load, too many handshakes from one source address. */
  RATE_LIMITED,
  /** An initiation from a static key we do not know. */
  UNKNOWN_PEER,
  /** A handshake message that does not decrypt or is not expected in the current state. */
  HANDSHAKE_FAILED,
  /** An initiation whose TAI64N timestamp is not newer than the last one (§5.1). */
  REPLAYED_INITIATION,
  /** An initiation less than 20 ms after the previous one of the same peer (§5.1). */
  INITIATION_FLOOD,
  /** A receiver index that we did not hand out (or already freed). */
  UNKNOWN_INDEX,
  /** A cookie reply that does not authenticate. */
  BAD_COOKIE,
  /** Transport data that does not authenticate (tampered, truncated or wrong key). */
  BAD_TAG,
  /** Transport data with a counter already seen or behind the replay window. */
  REPLAYED_COUNTER,
  /** Transport data for a keypair older than REJECT_AFTER_TIME. */
  KEYPAIR_EXPIRED,
  /** Decrypted payload is not a valid IPv4/IPv6 packet. */
  NOT_IP,
  /** Decrypted packet's source address is not in the peer's allowed IPs (cryptokey routing). */
  SOURCE_NOT_ALLOWED,
  /** The peer's filter denied the decrypted packet. */
  FILTERED,
  /** An outgoing packet whose destination matches no peer's allowed IPs. */
  NO_ROUTE,
  /** An outgoing packet for a peer whose endpoint is unknown. */
  NO_ENDPOINT,
  /** The staged-packet queue of a peer waiting for a handshake overflowed (oldest dropped). */
  STAGED_OVERFLOW,
  /** The caller's output buffer is too small or not heap-backed. */
  BUFFER_TOO_SMALL,
}
