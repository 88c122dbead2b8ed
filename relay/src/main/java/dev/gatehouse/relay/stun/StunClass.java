package dev.gatehouse.relay.stun;

/** RFC 8489 §5: the two class bits of a message type (C1 at bit 8, C0 at bit 4). */
public enum StunClass {
  REQUEST,
  INDICATION,
  SUCCESS_RESPONSE,
  ERROR_RESPONSE;

  /** The 2-bit class value (0b00, 0b01, 0b10, 0b11). */
  int bits() {
    return ordinal();
  }

  static StunClass ofBits(int bits) {
    return values()[bits & 0b11];
  }
}
