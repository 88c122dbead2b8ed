package dev.gatehouse.tunnel.wireguard;

import java.security.GeneralSecurityException;
import java.security.InvalidKeyException;
import java.security.SecureRandom;
import java.util.Arrays;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.digests.Blake2sDigest;
import org.bouncycastle.crypto.macs.HMac;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.math.ec.rfc7748.X25519;

/**
 * The cryptographic primitives of the whitepaper §5.4: HASH, MAC, HMAC, KDF1..3 (BLAKE2s from
 * BouncyCastle), DH (X25519 from BouncyCastle's RFC 7748 code: 1.8× faster than the JDK's XDH per
 * agreement and 5× per key generation, measured; see BENCHMARKS.md) and AEAD (ChaCha20-Poly1305
 * from the JDK, whose intrinsics nothing beats), plus TAI64N.
 *
 * <p>These helpers are used on the handshake path, where allocating small arrays is acceptable; the
 * transport hot path lives in {@link Keypair}. All methods are thread-safe.
 */
public final class Crypto {
  private Crypto() {}

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Cipher> AEAD = ThreadLocal.withInitial(Crypto::newChaChaCipher);
  private static final byte[] ZERO_NONCE = new byte[12];

  /** Thrown when a DH result is all zero (low-order point) or a key is unusable. */
  public static final class CryptoFailure extends Exception {
    CryptoFailure(String message, Throwable cause) {
      super(message, cause);
    }
  }

  static Cipher newChaChaCipher() {
    try {
      return Cipher.getInstance("ChaCha20-Poly1305");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("JDK lacks ChaCha20-Poly1305", e);
    }
  }

  /** {@code HASH(a || b || ...)}: unkeyed BLAKE2s-256. */
  public static byte[] hash(byte[]... parts) {
    Blake2sDigest d = new Blake2sDigest(256);
    for (byte[] p : parts) {
      d.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    d.doFinal(out, 0);
    return out;
  }

  /** {@code MAC(key, input[off, off+len))}: keyed BLAKE2s-128. */
  public static byte[] mac(byte[] key, byte[] input, int off, int len) {
    byte[] out = new byte[Protocol.MAC_SIZE];
    mac(key, input, off, len, out, 0);
    return out;
  }

  /** Writes {@code MAC(key, input[off, off+len))} into {@code out} at {@code outOff}. */
  public static void mac(byte[] key, byte[] input, int off, int len, byte[] out, int outOff) {
    Blake2sDigest d = new Blake2sDigest(key, Protocol.MAC_SIZE, null, null);
    d.update(input, off, len);
    d.doFinal(out, outOff);
  }

  /** {@code HMAC(key, input)} with BLAKE2s-256. */
  public static byte[] hmac(byte[] key, byte[]... input) {
    HMac h = new HMac(new Blake2sDigest(256));
    h.init(new KeyParameter(key));
    for (byte[] p : input) {
      h.update(p, 0, p.length);
    }
    byte[] out = new byte[32];
    h.doFinal(out, 0);
    return out;
  }

  /** {@code KDF_n(key, input)} of §5.4: returns n 32-byte outputs. */
  public static byte[][] kdf(int n, byte[] key, byte[] input) {
    byte[] t0 = hmac(key, input);
    byte[][] out = new byte[n][];
    byte[] prev = new byte[0];
    for (int i = 0; i < n; i++) {
      prev = hmac(t0, prev, new byte[] {(byte) (i + 1)});
      out[i] = prev;
    }
    Arrays.fill(t0, (byte) 0);
    return out;
  }

  /** Returns 32 random bytes clamped as an X25519 private key. */
  public static byte[] generatePrivateKey() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return clamp(k);
  }

  /** Clamps an X25519 scalar in place (RFC 7748 §5) and returns it. */
  public static byte[] clamp(byte[] k) {
    k[0] &= (byte) 248;
    k[31] &= 127;
    k[31] |= 64;
    return k;
  }

  /** Derives the public key of a private key: {@code X25519(priv, 9)}. */
  public static byte[] publicKey(byte[] privateKey) {
    if (privateKey.length != 32) {
      throw new IllegalArgumentException(
          "an X25519 private key has 32 bytes, not " + privateKey.length);
    }
    byte[] out = new byte[32];
    X25519.scalarMultBase(privateKey, 0, out, 0);
    return out;
  }

  /**
   * {@code DH(priv, pub)}: X25519 (RFC 7748: the scalar is clamped and the top bit of {@code pub}
   * ignored); fails on an all-zero result (a low-order point).
   */
  public static byte[] dh(byte[] privateKey, byte[] publicKey) throws CryptoFailure {
    if (privateKey.length != 32 || publicKey.length != 32) {
      throw new CryptoFailure("X25519 needs 32-byte keys", null);
    }
    byte[] secret = new byte[32];
    if (!X25519.calculateAgreement(privateKey, 0, publicKey, 0, secret, 0)) {
      throw new CryptoFailure("X25519 produced all-zero output", null);
    }
    return secret;
  }

  /** {@code AEAD(key, 0, plaintext, ad)} with ChaCha20-Poly1305 and a zero nonce. */
  public static byte[] seal(byte[] key, byte[] plaintext, byte[] ad) {
    return aead(Cipher.ENCRYPT_MODE, key, ZERO_NONCE, plaintext, ad);
  }

  /** Reverses {@link #seal}; throws {@link CryptoFailure} when authentication fails. */
  public static byte[] open(byte[] key, byte[] ciphertext, byte[] ad) throws CryptoFailure {
    try {
      return aeadChecked(Cipher.DECRYPT_MODE, key, ZERO_NONCE, ciphertext, ad);
    } catch (GeneralSecurityException e) {
      throw new CryptoFailure("AEAD authentication failed", e);
    }
  }

  static byte[] aead(int mode, byte[] key, byte[] nonce, byte[] input, byte[] ad) {
    try {
      return aeadChecked(mode, key, nonce, input, ad);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ChaCha20-Poly1305 failed", e);
    }
  }

  static byte[] aeadChecked(int mode, byte[] key, byte[] nonce, byte[] input, byte[] ad)
      throws GeneralSecurityException {
    Cipher c = AEAD.get();
    SecretKeySpec k = new SecretKeySpec(key, "ChaCha20");
    IvParameterSpec iv = new IvParameterSpec(nonce);
    try {
      c.init(mode, k, iv);
    } catch (InvalidKeyException reuse) {
      // The JDK refuses to encrypt twice in a row with the same key and nonce on one instance.
      c = newChaChaCipher();
      AEAD.set(c);
      c.init(mode, k, iv);
    }
    if (ad != null && ad.length > 0) {
      c.updateAAD(ad);
    }
    return c.doFinal(input); // AEADBadTagException (a GeneralSecurityException) on a bad tag
  }

  /** Writes a TAI64N timestamp (§5.4.2) of the given wall-clock time, whitened to ~16 ms. */
  public static byte[] tai64n(long epochNanos) {
    long seconds = Math.floorDiv(epochNanos, 1_000_000_000L);
    int nanos = (int) Math.floorMod(epochNanos, 1_000_000_000L);
    nanos &= ~0xFFFFFF; // whiten like wireguard-go: hide sub-16ms timing
    long tai = 0x400000000000000aL + seconds;
    byte[] out = new byte[Protocol.TIMESTAMP_SIZE];
    for (int i = 0; i < 8; i++) {
      out[i] = (byte) (tai >>> (56 - 8 * i));
    }
    for (int i = 0; i < 4; i++) {
      out[8 + i] = (byte) (nanos >>> (24 - 8 * i));
    }
    return out;
  }

  /** Constant-time comparison of two equal-length arrays. */
  public static boolean constantTimeEquals(byte[] a, int aOff, byte[] b, int bOff, int len) {
    int diff = 0;
    for (int i = 0; i < len; i++) {
      diff |= a[aOff + i] ^ b[bOff + i];
    }
    return diff == 0;
  }

  static void randomBytes(byte[] out) {
    RANDOM.nextBytes(out);
  }

  static int randomInt() {
    return RANDOM.nextInt();
  }
}
