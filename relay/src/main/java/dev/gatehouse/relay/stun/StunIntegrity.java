package dev.gatehouse.relay.stun;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.zip.CRC32;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The cryptography of STUN messages: long-term credential keys and MESSAGE-INTEGRITY (RFC 8489
 * §9.2.2, §14.5) and FINGERPRINT (§14.7). Pure functions; no state.
 */
public final class StunIntegrity {
  private StunIntegrity() {}

  /**
   * RFC 8489 §9.2.2: the long-term key {@code MD5(username ":" realm ":" password)}. Inputs are
   * taken as already processed by OpaqueString (identity for the ASCII credentials used here).
   */
  public static byte[] longTermKey(String username, String realm, String password) {
    try {
      return MessageDigest.getInstance("MD5")
          .digest((username + ":" + realm + ":" + password).getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("MD5 is a mandatory JCA algorithm", e);
    }
  }

  /** RFC 8489 §9.1.1: the short-term key is the password itself (used by the RFC 5769 vectors). */
  public static byte[] shortTermKey(String password) {
    return password.getBytes(StandardCharsets.UTF_8);
  }

  /** HMAC-SHA1 of {@code data[off, off+len)} under {@code key}. */
  public static byte[] hmacSha1(byte[] key, byte[] data, int off, int len) {
    try {
      Mac mac = Mac.getInstance("HmacSHA1");
      // SecretKeySpec refuses empty keys; HMAC zero-pads keys, so one zero byte is the same key.
      mac.init(new SecretKeySpec(key.length == 0 ? new byte[1] : key, "HmacSHA1"));
      mac.update(data, off, len);
      return mac.doFinal();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA1 is a mandatory JCA algorithm", e);
    }
  }

  /** RFC 8489 §14.7: {@code CRC-32(data[off, off+len)) XOR 0x5354554e}. */
  public static int fingerprint(byte[] data, int off, int len) {
    CRC32 crc = new CRC32();
    crc.update(data, off, len);
    return (int) crc.getValue() ^ TurnProtocol.FINGERPRINT_XOR;
  }

  /** Constant-time comparison of two MACs. */
  public static boolean macEquals(byte[] a, byte[] b) {
    return MessageDigest.isEqual(a, b);
  }
}
