package dev.gatehouse.tunnel.wireguard;

import java.security.GeneralSecurityException;
import javax.crypto.Cipher;

/**
 * XChaCha20-Poly1305 (draft-irtf-cfrg-xchacha), used only for cookie replies (§5.4.7): HChaCha20
 * derives a subkey from the key and the first 16 nonce bytes, then the JDK's ChaCha20-Poly1305 runs
 * with nonce {@code 0^4 || nonce[16..24)}.
 */
public final class XChaCha20Poly1305 {
  private XChaCha20Poly1305() {}

  /** Encrypts {@code plaintext} with a 24-byte nonce and additional data. */
  public static byte[] seal(byte[] key, byte[] nonce24, byte[] plaintext, byte[] ad) {
    return Crypto.aead(
        Cipher.ENCRYPT_MODE, hchacha20(key, nonce24), subNonce(nonce24), plaintext, ad);
  }

  /** Decrypts and authenticates; throws {@link Crypto.CryptoFailure} on a bad tag. */
  public static byte[] open(byte[] key, byte[] nonce24, byte[] ciphertext, byte[] ad)
      throws Crypto.CryptoFailure {
    try {
      return Crypto.aeadChecked(
          Cipher.DECRYPT_MODE, hchacha20(key, nonce24), subNonce(nonce24), ciphertext, ad);
    } catch (GeneralSecurityException e) {
      throw new Crypto.CryptoFailure("XChaCha20-Poly1305 authentication failed", e);
    }
  }

  private static byte[] subNonce(byte[] nonce24) {
    byte[] n = new byte[12];
    System.arraycopy(nonce24, 16, n, 4, 8);
    return n;
  }

  /** HChaCha20(key, nonce[0..16)) → 32-byte subkey. */
  static byte[] hchacha20(byte[] key, byte[] nonce) {
    int[] s = new int[16];
    s[0] = 0x61707865;
    s[1] = 0x3320646e;
    s[2] = 0x79622d32;
    s[3] = 0x6b206574;
    for (int i = 0; i < 8; i++) {
      s[4 + i] = le32(key, 4 * i);
    }
    for (int i = 0; i < 4; i++) {
      s[12 + i] = le32(nonce, 4 * i);
    }
    for (int i = 0; i < 10; i++) {
      quarter(s, 0, 4, 8, 12);
      quarter(s, 1, 5, 9, 13);
      quarter(s, 2, 6, 10, 14);
      quarter(s, 3, 7, 11, 15);
      quarter(s, 0, 5, 10, 15);
      quarter(s, 1, 6, 11, 12);
      quarter(s, 2, 7, 8, 13);
      quarter(s, 3, 4, 9, 14);
    }
    byte[] out = new byte[32];
    for (int i = 0; i < 4; i++) {
      putLe32(out, 4 * i, s[i]);
      putLe32(out, 16 + 4 * i, s[12 + i]);
    }
    return out;
  }

  private static void quarter(int[] s, int a, int b, int c, int d) {
    s[a] += s[b];
    s[d] = Integer.rotateLeft(s[d] ^ s[a], 16);
    s[c] += s[d];
    s[b] = Integer.rotateLeft(s[b] ^ s[c], 12);
    s[a] += s[b];
    s[d] = Integer.rotateLeft(s[d] ^ s[a], 8);
    s[c] += s[d];
    s[b] = Integer.rotateLeft(s[b] ^ s[c], 7);
  }

  private static int le32(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  private static void putLe32(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }
}
