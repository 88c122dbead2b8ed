package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.MAC_SIZE;

/**
 * The sending side of §5.4.4 and §5.4.7 for one peer: adds mac1 (always) and mac2 (when a fresh
 * cookie is held) to our handshake messages, and consumes cookie replies. Not thread-safe; its
 * {@link Peer} serializes access.
 */
final class CookieGenerator {
  private final byte[] mac1Key;
  private final byte[] cookieKey;
  private final long cookieLifetimeNanos;
  private byte[] lastMac1;
  private byte[] cookie;
  private long cookieReceivedNanos;

  CookieGenerator(byte[] remoteStatic) {
    this.mac1Key = Crypto.hash(Protocol.LABEL_MAC1, remoteStatic);
    this.cookieKey = Crypto.hash(Protocol.LABEL_COOKIE, remoteStatic);
    // wireguard-go considers a cookie stale a little before the responder's secret rotates.
    this.cookieLifetimeNanos =
        Protocol.COOKIE_REFRESH_TIME.toNanos() - Protocol.REKEY_TIMEOUT.toNanos();
  }

  /** Writes mac1 and mac2 into {@code msg} whose mac1 starts at {@code mac1Offset}. */
  void addMacs(byte[] msg, int mac1Offset, long nowNanos) {
    Crypto.mac(mac1Key, msg, 0, mac1Offset, msg, mac1Offset);
    lastMac1 = java.util.Arrays.copyOfRange(msg, mac1Offset, mac1Offset + MAC_SIZE);
    int mac2Offset = mac1Offset + MAC_SIZE;
    if (cookie != null && nowNanos - cookieReceivedNanos < cookieLifetimeNanos) {
      Crypto.mac(cookie, msg, 0, mac2Offset, msg, mac2Offset);
    } else {
      java.util.Arrays.fill(msg, mac2Offset, mac2Offset + MAC_SIZE, (byte) 0);
    }
  }

  /** Decrypts a cookie reply to our last message; false if it does not authenticate. */
  boolean consumeCookieReply(Message.CookieReply reply, long nowNanos) {
    if (lastMac1 == null) {
      return false;
    }
    try {
      cookie = XChaCha20Poly1305.open(cookieKey, reply.nonce(), reply.encryptedCookie(), lastMac1);
      cookieReceivedNanos = nowNanos;
      lastMac1 = null; // one reply per message
      return true;
    } catch (Crypto.CryptoFailure e) {
      return false;
    }
  }

  boolean hasFreshCookie(long nowNanos) {
    return cookie != null && nowNanos - cookieReceivedNanos < cookieLifetimeNanos;
  }
}
