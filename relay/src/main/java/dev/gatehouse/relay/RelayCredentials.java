package dev.gatehouse.relay;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;

/**
 * Firezone's stateless TURN credentials: whoever holds the relay's shared secret can mint them, and
 * the relay checks them without any lookup.
 *
 * <ul>
 *   <li>{@code username = "<expiryEpochSeconds>:<salt>"}
 *   <li>{@code password = base64(sha256("<expiryEpochSeconds>:<secret>:<salt>"))}, standard
 *       alphabet without padding (Firezone's {@code BASE64_STANDARD_NO_PAD})
 * </ul>
 *
 * <p>The TURN layer then uses the password as a long-term credential (RFC 8489 §9.2). This class
 * depends on nothing but the JDK so that the API node can mint with it.
 */
public final class RelayCredentials {
  private final byte[] secret;

  /** A verifier for credentials minted with {@code secret} (its raw bytes). */
  public RelayCredentials(byte[] secret) {
    if (secret.length == 0) {
      throw new IllegalArgumentException("the relay secret must not be empty");
    }
    this.secret = secret.clone();
  }

  /** A verifier for a textual secret (its UTF-8 bytes). */
  public RelayCredentials(String secret) {
    this(secret.getBytes(StandardCharsets.UTF_8));
  }

  /** A username/password pair, valid until {@code expiresAt} (whole seconds). */
  public record Minted(String username, String password, Instant expiresAt) {}

  /** The outcome of {@link #verify}. */
  public sealed interface Verification {}

  /** The username is well formed and not expired; {@code password} is what the client must use. */
  public record Valid(String username, String password, Instant expiresAt)
      implements Verification {}

  /** The username cannot be used. */
  public record Rejected(Reason reason) implements Verification {}

  /** Why a username was rejected. */
  public enum Reason {
    /** Not {@code <digits>:<salt>}. */
    MALFORMED,
    /** Its expiry is before now. */
    EXPIRED
  }

  /**
   * Mints credentials that expire at {@code expiry} (truncated to seconds). {@code salt} is any
   * non-empty text without ':' (Firezone uses base64 of a hash of the client's public key).
   */
  public static Minted mint(byte[] secret, Instant expiry, String salt) {
    if (salt.isEmpty() || salt.indexOf(':') >= 0) {
      throw new IllegalArgumentException("salt must be non-empty and contain no ':'");
    }
    if (expiry.getEpochSecond() < 0) {
      throw new IllegalArgumentException("expiry must not be before the epoch");
    }
    long seconds = expiry.getEpochSecond();
    return new Minted(
        seconds + ":" + salt, password(secret, seconds, salt), Instant.ofEpochSecond(seconds));
  }

  /** {@link #mint(byte[], Instant, String)} with a textual secret (its UTF-8 bytes). */
  public static Minted mint(String secret, Instant expiry, String salt) {
    return mint(secret.getBytes(StandardCharsets.UTF_8), expiry, salt);
  }

  /**
   * Checks {@code username} against {@code now}: expired (expiry before now) or malformed names are
   * rejected; otherwise the expected password is derived. Never throws.
   */
  public Verification verify(String username, Instant now) {
    if (username == null) {
      return new Rejected(Reason.MALFORMED);
    }
    int colon = username.indexOf(':');
    if (colon <= 0 || colon > 19 || colon == username.length() - 1) {
      return new Rejected(Reason.MALFORMED);
    }
    String salt = username.substring(colon + 1);
    if (salt.indexOf(':') >= 0) {
      return new Rejected(Reason.MALFORMED);
    }
    long seconds = 0;
    for (int i = 0; i < colon; i++) {
      char c = username.charAt(i);
      if (c < '0' || c > '9') {
        return new Rejected(Reason.MALFORMED);
      }
      seconds = seconds * 10 + (c - '0');
      if (seconds > Instant.MAX.getEpochSecond()) {
        return new Rejected(Reason.MALFORMED);
      }
    }
    Instant expiry = Instant.ofEpochSecond(seconds);
    if (expiry.isBefore(now)) {
      return new Rejected(Reason.EXPIRED);
    }
    return new Valid(username, password(secret, seconds, salt), expiry);
  }

  /** {@code base64_nopad(sha256("<expirySeconds>:<secret>:<salt>"))}. */
  public static String password(byte[] secret, long expirySeconds, String salt) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Long.toString(expirySeconds).getBytes(StandardCharsets.US_ASCII));
      sha.update((byte) ':');
      sha.update(secret);
      sha.update((byte) ':');
      sha.update(salt.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().withoutPadding().encodeToString(sha.digest());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("SHA-256 is a mandatory JCA algorithm", e);
    }
  }
}
