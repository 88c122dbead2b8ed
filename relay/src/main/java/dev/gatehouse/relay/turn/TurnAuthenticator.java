package dev.gatehouse.relay.turn;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunIntegrity;
import dev.gatehouse.relay.stun.StunMessage;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * RFC 8489 §9.2.4: the server side of long-term credentials, with Firezone's stateless usernames
 * ({@link RelayCredentials}) and stateless nonces.
 *
 * <p>A nonce is {@code hex(expiryNanos) "-" base64url(HMAC-SHA256(nonceKey, expiry || client
 * address))[0..16 bytes]}: it names its own expiry on the monotonic clock and is bound to the
 * client's transport address, so no nonce table is kept. A restart picks a new key, which turns old
 * nonces into 438s.
 */
final class TurnAuthenticator {
  private static final int NONCE_MAC_BYTES = 16;

  private final String realm;
  private final RelayCredentials credentials;
  private final long nonceLifetimeNanos;
  private final InstantSource wallClock;
  private final Mac nonceMac;

  /** The outcome of {@link #authenticate}. */
  sealed interface Outcome {}

  /** The request is authentic; {@code key} signs the response. */
  record Authenticated(String username, byte[] key) implements Outcome {}

  /** Answer with {@code code} (401 or 438) carrying REALM and a fresh NONCE; count {@code why}. */
  record Challenge(int code, DropReason why) implements Outcome {}

  /** Answer 400 (MESSAGE-INTEGRITY without USERNAME, REALM or NONCE). */
  record BadRequest(String reason) implements Outcome {}

  TurnAuthenticator(
      String realm,
      RelayCredentials credentials,
      byte[] nonceKey,
      Duration nonceLifetime,
      InstantSource wallClock) {
    this.realm = realm;
    this.credentials = credentials;
    this.nonceLifetimeNanos = nonceLifetime.toNanos();
    this.wallClock = wallClock;
    try {
      this.nonceMac = Mac.getInstance("HmacSHA256");
      this.nonceMac.init(new SecretKeySpec(nonceKey, "HmacSHA256"));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is a mandatory JCA algorithm", e);
    }
  }

  String realm() {
    return realm;
  }

  /** Checks a request from {@code client} at {@code nowNanos}, in the order of RFC 8489 §9.2.4. */
  Outcome authenticate(StunMessage request, InetSocketAddress client, long nowNanos) {
    if (!request.hasIntegrity()) {
      return new Challenge(401, DropReason.UNAUTHENTICATED);
    }
    StunAttribute.Username username = request.attribute(StunAttribute.Username.class);
    StunAttribute.Realm requestRealm = request.attribute(StunAttribute.Realm.class);
    StunAttribute.Nonce nonce = request.attribute(StunAttribute.Nonce.class);
    if (username == null || requestRealm == null || nonce == null) {
      return new BadRequest("USERNAME, REALM and NONCE must accompany MESSAGE-INTEGRITY");
    }
    if (!nonceValid(nonce.value(), client, nowNanos)) {
      return new Challenge(438, DropReason.STALE_NONCE);
    }
    if (!realm.equals(requestRealm.value())) {
      return new Challenge(401, DropReason.BAD_CREDENTIALS);
    }
    if (!(credentials.verify(username.value(), wallClock.instant())
        instanceof RelayCredentials.Valid valid)) {
      return new Challenge(401, DropReason.BAD_CREDENTIALS);
    }
    byte[] key = StunIntegrity.longTermKey(username.value(), realm, valid.password());
    if (!request.verifyIntegrity(key)) {
      return new Challenge(401, DropReason.BAD_CREDENTIALS);
    }
    return new Authenticated(username.value(), key);
  }

  /** A fresh nonce for {@code client}, valid for the configured lifetime. */
  String nonce(InetSocketAddress client, long nowNanos) {
    long expiry = nowNanos + nonceLifetimeNanos;
    return HexFormat.of().toHexDigits(expiry) + "-" + mac(expiry, client);
  }

  private boolean nonceValid(String nonce, InetSocketAddress client, long nowNanos) {
    if (nonce.length() < 18 || nonce.charAt(16) != '-') {
      return false;
    }
    for (int i = 0; i < 16; i++) {
      if (!HexFormat.isHexDigit(nonce.charAt(i))) {
        return false;
      }
    }
    long expiry = HexFormat.fromHexDigitsToLong(nonce, 0, 16);
    if (expiry - nowNanos <= 0) {
      return false;
    }
    byte[] expected = mac(expiry, client).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    byte[] received = nonce.substring(17).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    return StunIntegrity.macEquals(expected, received);
  }

  private String mac(long expiry, InetSocketAddress client) {
    byte[] ip = client.getAddress().getAddress();
    ByteBuffer input = ByteBuffer.allocate(8 + ip.length + 2);
    input.putLong(expiry).put(ip).putShort((short) client.getPort());
    byte[] full = nonceMac.doFinal(input.array());
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(Arrays.copyOf(full, NONCE_MAC_BYTES));
  }
}
