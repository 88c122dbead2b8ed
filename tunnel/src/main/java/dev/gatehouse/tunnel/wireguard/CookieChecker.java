package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.MAC_SIZE;

import java.net.InetSocketAddress;

/**
 * The receiving side of §5.4.4 and §5.4.7 for this device: verifies mac1 on every handshake
 * message, verifies mac2 when under load, and builds cookie replies. The cookie secret rotates
 * every {@link Protocol#COOKIE_REFRESH_TIME}. Thread-safe (synchronized; handshake path only).
 */
final class CookieChecker {
  private final byte[] mac1Key;
  private final byte[] cookieKey;
  private final byte[] secret = new byte[32];
  private long secretCreatedNanos;
  private boolean secretSet;

  CookieChecker(byte[] localStatic) {
    this.mac1Key = Crypto.hash(Protocol.LABEL_MAC1, localStatic);
    this.cookieKey = Crypto.hash(Protocol.LABEL_COOKIE, localStatic);
  }

  /**
   * Whether {@code msg[mac1Offset, +16)} is {@code MAC(HASH(LABEL_MAC1||Spub), msg[0,mac1Offset))}.
   */
  boolean checkMac1(byte[] msg, int mac1Offset) {
    byte[] expected = Crypto.mac(mac1Key, msg, 0, mac1Offset);
    return Crypto.constantTimeEquals(expected, 0, msg, mac1Offset, MAC_SIZE);
  }

  /** Whether mac2 is valid for a cookie bound to {@code source}. */
  synchronized boolean checkMac2(byte[] msg, int mac2Offset, InetSocketAddress source, long now) {
    byte[] cookie = cookieFor(source, now);
    byte[] expected = Crypto.mac(cookie, msg, 0, mac2Offset);
    return Crypto.constantTimeEquals(expected, 0, msg, mac2Offset, MAC_SIZE);
  }

  /** A cookie reply (§5.4.7) to {@code msg}, addressed to {@code receiver} (the msg's sender). */
  synchronized byte[] createReply(
      byte[] msg, int mac1Offset, int receiver, InetSocketAddress source, long now) {
    byte[] cookie = cookieFor(source, now);
    byte[] nonce = new byte[Protocol.COOKIE_NONCE_SIZE];
    Crypto.randomBytes(nonce);
    byte[] mac1 = java.util.Arrays.copyOfRange(msg, mac1Offset, mac1Offset + MAC_SIZE);
    byte[] enc = XChaCha20Poly1305.seal(cookieKey, nonce, cookie, mac1);
    return Message.writeCookieReply(receiver, nonce, enc);
  }

  private byte[] cookieFor(InetSocketAddress source, long now) {
    if (!secretSet || now - secretCreatedNanos >= Protocol.COOKIE_REFRESH_TIME.toNanos()) {
      Crypto.randomBytes(secret);
      secretCreatedNanos = now;
      secretSet = true;
    }
    byte[] ip = source.getAddress().getAddress();
    byte[] addr = new byte[ip.length + 2];
    System.arraycopy(ip, 0, addr, 0, ip.length);
    addr[ip.length] = (byte) source.getPort();
    addr[ip.length + 1] = (byte) (source.getPort() >>> 8);
    return Crypto.mac(secret, addr, 0, addr.length);
  }
}
