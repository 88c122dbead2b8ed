package dev.gatehouse.relay.stun;

/** What {@link StunMessage#parse} made of a datagram: a message, or why it was rejected. */
public sealed interface StunParseResult {

  /** A well-formed message; FINGERPRINT, when present, has been checked. */
  record Parsed(StunMessage message) implements StunParseResult {}

  /** The datagram is not a valid STUN message; never an exception. */
  record Rejected(Reason reason) implements StunParseResult {}

  /** Why a datagram was rejected, one per check of RFC 8489 §6.3. */
  enum Reason {
    /** {@code off}/{@code len} do not describe a range of the buffer. */
    OUT_OF_BOUNDS,
    /** Shorter than the 20-byte header. */
    TOO_SHORT,
    /** The two most significant bits are not zero. */
    NOT_STUN,
    /** Bytes 4..7 are not 0x2112A442. */
    BAD_MAGIC_COOKIE,
    /** The length field is not a multiple of 4 or disagrees with the datagram's size. */
    BAD_LENGTH,
    /** An attribute header or (padded) value runs past the end of the message. */
    TRUNCATED_ATTRIBUTE,
    /** A known attribute has a value of the wrong size or content. */
    MALFORMED_ATTRIBUTE,
    /** FINGERPRINT does not match the message. */
    BAD_FINGERPRINT,
    /** Something follows FINGERPRINT, which must be the last attribute. */
    ATTRIBUTE_AFTER_FINGERPRINT
  }
}
