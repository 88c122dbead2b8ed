package dev.gatehouse.tunnel.wireguard;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Protocol constants of WireGuard, each citing the section of the whitepaper ("WireGuard: Next
 * Generation Kernel Network Tunnel", J. A. Donenfeld) that defines it.
 */
public final class Protocol {
  private Protocol() {}

  /** §5.4: the Noise construction name hashed into the initial chaining key. */
  public static final byte[] CONSTRUCTION =
      "Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s".getBytes(StandardCharsets.US_ASCII);

  /** §5.4: the identifier mixed into the initial hash. */
  public static final byte[] IDENTIFIER =
      "WireGuard v1 zx2c4 Jason@zx2c4.com".getBytes(StandardCharsets.US_ASCII);

  /** §5.4.4: label for the mac1 key, {@code HASH(LABEL_MAC1 || Spub)}. */
  public static final byte[] LABEL_MAC1 = "mac1----".getBytes(StandardCharsets.US_ASCII);

  /** §5.4.7: label for the cookie encryption key, {@code HASH(LABEL_COOKIE || Spub)}. */
  public static final byte[] LABEL_COOKIE = "cookie--".getBytes(StandardCharsets.US_ASCII);

  /** §5.4.2: message type of a handshake initiation. */
  public static final byte TYPE_INITIATION = 1;

  /** §5.4.3: message type of a handshake response. */
  public static final byte TYPE_RESPONSE = 2;

  /** §5.4.7: message type of a cookie reply. */
  public static final byte TYPE_COOKIE_REPLY = 3;

  /** §5.4.6: message type of transport data. */
  public static final byte TYPE_TRANSPORT = 4;

  /** §5.4.2: size of a handshake initiation: 1+3+4+32+(32+16)+(12+16)+16+16. */
  public static final int INITIATION_SIZE = 148;

  /** §5.4.3: size of a handshake response: 1+3+4+4+32+(0+16)+16+16. */
  public static final int RESPONSE_SIZE = 92;

  /** §5.4.7: size of a cookie reply: 1+3+4+24+(16+16). */
  public static final int COOKIE_REPLY_SIZE = 64;

  /** §5.4.6: transport header: type, reserved, receiver index, 64-bit counter. */
  public static final int TRANSPORT_HEADER_SIZE = 16;

  /** §5.4.6: Poly1305 tag appended to every AEAD ciphertext. */
  public static final int AEAD_TAG_SIZE = 16;

  /** §5.4.6: plaintext is zero-padded to a multiple of 16 bytes. */
  public static final int PADDING_MULTIPLE = 16;

  /** Smallest transport message: header plus the tag of an empty (keepalive) payload. */
  public static final int TRANSPORT_MIN_SIZE = TRANSPORT_HEADER_SIZE + AEAD_TAG_SIZE;

  /** §5.4: X25519 key size and BLAKE2s-256 hash size. */
  public static final int KEY_SIZE = 32;

  /** §5.4.4: keyed BLAKE2s-128 MAC size (mac1, mac2, cookie). */
  public static final int MAC_SIZE = 16;

  /** §5.4.2: TAI64N timestamp size. */
  public static final int TIMESTAMP_SIZE = 12;

  /** §5.4.7: XChaCha20-Poly1305 nonce size of a cookie reply. */
  public static final int COOKIE_NONCE_SIZE = 24;

  /** §6.1 (Table 6.1): initiate a new session after this many messages on one keypair. */
  public static final long REKEY_AFTER_MESSAGES = 1L << 60;

  /** §6.1: never send or accept more than this many messages on one keypair (2^64 − 2^13 − 1). */
  public static final long REJECT_AFTER_MESSAGES = -1L - (1L << 13); // unsigned 2^64-2^13-1

  /** §6.1: the initiator rekeys when its current keypair is this old. */
  public static final Duration REKEY_AFTER_TIME = Duration.ofSeconds(120);

  /** §6.1: a keypair this old is never used to send or receive. */
  public static final Duration REJECT_AFTER_TIME = Duration.ofSeconds(180);

  /** §6.1: give up retrying a handshake after this long. */
  public static final Duration REKEY_ATTEMPT_TIME = Duration.ofSeconds(90);

  /** §6.1: retransmit an unanswered initiation after this long (plus jitter, §6.4). */
  public static final Duration REKEY_TIMEOUT = Duration.ofSeconds(5);

  /** §6.4: upper bound of the random jitter added to REKEY_TIMEOUT retransmissions. */
  public static final Duration REKEY_TIMEOUT_JITTER_MAX = Duration.ofMillis(333);

  /** §6.1: send a keepalive after receiving data and sending nothing for this long. */
  public static final Duration KEEPALIVE_TIMEOUT = Duration.ofSeconds(10);

  /** §5.4.7: a cookie is valid this long; the cookie secret rotates at the same interval. */
  public static final Duration COOKIE_REFRESH_TIME = Duration.ofSeconds(120);

  /** §5.1: at most one initiation per peer per this interval is processed (flood protection). */
  public static final Duration INITIATION_MIN_INTERVAL = Duration.ofMillis(20);

  /** §6.3: keys are zeroed after three times REJECT_AFTER_TIME without a new session. */
  public static final int ZERO_KEYS_MULTIPLIER = 3;

  /**
   * §5.4.6 refers to RFC 6479 for the sliding window; we track this many counters behind the
   * highest one seen (wireguard-go uses 8192 − 64; the issue requires at least 2048).
   */
  public static final int REPLAY_WINDOW_SIZE = 8192 - 64;
}
