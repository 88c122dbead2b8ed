package dev.gatehouse.tunnel.wireguard;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 (RFC 8439) in plain Java that allocates nothing per call. One instance holds
 * one key and its scratch state, so it serves one direction of one session and is not thread-safe
 * (callers lock, as {@link Keypair} does). The nonce is the RFC's 96 bits split as a 32-bit prefix
 * and a 64-bit little-endian counter; WireGuard's transport nonce (§5.4.6) is prefix 0 and the
 * message counter, with empty associated data.
 *
 * <p>Buffers may be the same array at the same offset (in-place); otherwise input and output must
 * not overlap. {@link #open} authenticates before it writes anything, so a forged message leaves
 * the output untouched. Poly1305 uses five 26-bit limbs in {@code long} arithmetic
 * (poly1305-donna's 32-bit variant); the tag comparison is constant-time.
 */
public final class ChaChaPoly {
  /** Tag size in bytes. */
  public static final int TAG_SIZE = 16;

  private static final VarHandle LE32 =
      MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
  private static final long MASK26 = 0x3ffffff;
  private static final long HIBIT = 1L << 24;
  private static final byte[] NO_AAD = new byte[0];

  private final int[] key = new int[8];
  private final int[] keystream = new int[16];
  private final byte[] block = new byte[16];
  private final byte[] tag = new byte[16];

  // Poly1305 state of the message in progress: accumulator h, key r (and 5r), pad s.
  private long h0, h1, h2, h3, h4;
  private long r0, r1, r2, r3, r4;
  private long s1, s2, s3, s4;
  private long pad0, pad1, pad2, pad3;

  /** Creates an instance without a key; call {@link #setKey} before use. */
  public ChaChaPoly() {}

  /** Creates an instance for {@code key32[0, 32)}. */
  public ChaChaPoly(byte[] key32) {
    setKey(key32);
  }

  /** Sets the 256-bit key (the caller may wipe its array afterwards). */
  public void setKey(byte[] key32) {
    if (key32.length != 32) {
      throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
    }
    for (int i = 0; i < 8; i++) {
      key[i] = (int) LE32.get(key32, 4 * i);
    }
  }

  /** Overwrites the key and the scratch state. */
  public void clear() {
    Arrays.fill(key, 0);
    Arrays.fill(keystream, 0);
    Arrays.fill(block, (byte) 0);
    Arrays.fill(tag, (byte) 0);
    h0 = h1 = h2 = h3 = h4 = r0 = r1 = r2 = r3 = r4 = s1 = s2 = s3 = s4 = 0;
    pad0 = pad1 = pad2 = pad3 = 0;
  }

  /**
   * WireGuard transport seal: encrypts {@code in[off, off+len)} with nonce {@code 0^32 ||
   * le64(counter)} and no associated data into {@code out[outOff, outOff+len+16)} (ciphertext, then
   * tag). Returns {@code len + 16}.
   */
  public int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    return seal(0, counter, NO_AAD, 0, 0, in, off, len, out, outOff);
  }

  /**
   * WireGuard transport open: authenticates and decrypts {@code in[off, off+len)} (ciphertext, then
   * tag) into {@code out[outOff...)}. Returns the plaintext length, or -1 when the message is
   * shorter than a tag or the tag does not match (then nothing was written).
   */
  public int open(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    return open(0, counter, NO_AAD, 0, 0, in, off, len, out, outOff);
  }

  /** General RFC 8439 seal with nonce {@code le32(prefix) || le64(counter)} and associated data. */
  public int seal(
      int noncePrefix,
      long counter,
      byte[] aad,
      int aadOff,
      int aadLen,
      byte[] in,
      int off,
      int len,
      byte[] out,
      int outOff) {
    Objects.checkFromIndexSize(off, len, in.length);
    Objects.checkFromIndexSize(outOff, len + TAG_SIZE, out.length);
    polyInit(noncePrefix, counter);
    polyPadded(aad, aadOff, aadLen);
    xor(1, noncePrefix, counter, in, off, len, out, outOff);
    polyPadded(out, outOff, len);
    polyLengths(aadLen, len);
    polyFinish(out, outOff + len);
    return len + TAG_SIZE;
  }

  /**
   * General RFC 8439 open; see {@link #seal(int, long, byte[], int, int, byte[], int, int, byte[],
   * int)}.
   */
  public int open(
      int noncePrefix,
      long counter,
      byte[] aad,
      int aadOff,
      int aadLen,
      byte[] in,
      int off,
      int len,
      byte[] out,
      int outOff) {
    int n = len - TAG_SIZE;
    if (n < 0) {
      return -1;
    }
    Objects.checkFromIndexSize(off, len, in.length);
    Objects.checkFromIndexSize(outOff, n, out.length);
    polyInit(noncePrefix, counter);
    polyPadded(aad, aadOff, aadLen);
    polyPadded(in, off, n);
    polyLengths(aadLen, n);
    polyFinish(tag, 0);
    if (!Crypto.constantTimeEquals(tag, 0, in, off + n, TAG_SIZE)) {
      return -1;
    }
    xor(1, noncePrefix, counter, in, off, n, out, outOff);
    return n;
  }

  /** Raw ChaCha20 (RFC 8439 §2.4): XORs the keystream from block {@code blockCounter}. */
  void xor(
      int blockCounter,
      int noncePrefix,
      long counter,
      byte[] in,
      int off,
      int len,
      byte[] out,
      int outOff) {
    int ctr = blockCounter;
    int[] ks = keystream;
    while (len >= 64) {
      block(ctr++, noncePrefix, counter);
      for (int i = 0; i < 16; i++) {
        LE32.set(out, outOff + 4 * i, (int) LE32.get(in, off + 4 * i) ^ ks[i]);
      }
      off += 64;
      outOff += 64;
      len -= 64;
    }
    if (len > 0) {
      block(ctr, noncePrefix, counter);
      for (int i = 0; i < len; i++) {
        out[outOff + i] = (byte) (in[off + i] ^ (ks[i >>> 2] >>> ((i & 3) << 3)));
      }
    }
  }

  /** The ChaCha20 block function (RFC 8439 §2.3) into {@link #keystream}. */
  private void block(int ctr, int noncePrefix, long counter) {
    int[] k = key;
    int x0 = 0x61707865, x1 = 0x3320646e, x2 = 0x79622d32, x3 = 0x6b206574;
    int x4 = k[0], x5 = k[1], x6 = k[2], x7 = k[3];
    int x8 = k[4], x9 = k[5], x10 = k[6], x11 = k[7];
    int x12 = ctr, x13 = noncePrefix, x14 = (int) counter, x15 = (int) (counter >>> 32);
    for (int i = 0; i < 10; i++) {
      // Column round.
      x0 += x4;
      x12 = Integer.rotateLeft(x12 ^ x0, 16);
      x8 += x12;
      x4 = Integer.rotateLeft(x4 ^ x8, 12);
      x0 += x4;
      x12 = Integer.rotateLeft(x12 ^ x0, 8);
      x8 += x12;
      x4 = Integer.rotateLeft(x4 ^ x8, 7);
      x1 += x5;
      x13 = Integer.rotateLeft(x13 ^ x1, 16);
      x9 += x13;
      x5 = Integer.rotateLeft(x5 ^ x9, 12);
      x1 += x5;
      x13 = Integer.rotateLeft(x13 ^ x1, 8);
      x9 += x13;
      x5 = Integer.rotateLeft(x5 ^ x9, 7);
      x2 += x6;
      x14 = Integer.rotateLeft(x14 ^ x2, 16);
      x10 += x14;
      x6 = Integer.rotateLeft(x6 ^ x10, 12);
      x2 += x6;
      x14 = Integer.rotateLeft(x14 ^ x2, 8);
      x10 += x14;
      x6 = Integer.rotateLeft(x6 ^ x10, 7);
      x3 += x7;
      x15 = Integer.rotateLeft(x15 ^ x3, 16);
      x11 += x15;
      x7 = Integer.rotateLeft(x7 ^ x11, 12);
      x3 += x7;
      x15 = Integer.rotateLeft(x15 ^ x3, 8);
      x11 += x15;
      x7 = Integer.rotateLeft(x7 ^ x11, 7);
      // Diagonal round.
      x0 += x5;
      x15 = Integer.rotateLeft(x15 ^ x0, 16);
      x10 += x15;
      x5 = Integer.rotateLeft(x5 ^ x10, 12);
      x0 += x5;
      x15 = Integer.rotateLeft(x15 ^ x0, 8);
      x10 += x15;
      x5 = Integer.rotateLeft(x5 ^ x10, 7);
      x1 += x6;
      x12 = Integer.rotateLeft(x12 ^ x1, 16);
      x11 += x12;
      x6 = Integer.rotateLeft(x6 ^ x11, 12);
      x1 += x6;
      x12 = Integer.rotateLeft(x12 ^ x1, 8);
      x11 += x12;
      x6 = Integer.rotateLeft(x6 ^ x11, 7);
      x2 += x7;
      x13 = Integer.rotateLeft(x13 ^ x2, 16);
      x8 += x13;
      x7 = Integer.rotateLeft(x7 ^ x8, 12);
      x2 += x7;
      x13 = Integer.rotateLeft(x13 ^ x2, 8);
      x8 += x13;
      x7 = Integer.rotateLeft(x7 ^ x8, 7);
      x3 += x4;
      x14 = Integer.rotateLeft(x14 ^ x3, 16);
      x9 += x14;
      x4 = Integer.rotateLeft(x4 ^ x9, 12);
      x3 += x4;
      x14 = Integer.rotateLeft(x14 ^ x3, 8);
      x9 += x14;
      x4 = Integer.rotateLeft(x4 ^ x9, 7);
    }
    int[] ks = keystream;
    ks[0] = x0 + 0x61707865;
    ks[1] = x1 + 0x3320646e;
    ks[2] = x2 + 0x79622d32;
    ks[3] = x3 + 0x6b206574;
    ks[4] = x4 + k[0];
    ks[5] = x5 + k[1];
    ks[6] = x6 + k[2];
    ks[7] = x7 + k[3];
    ks[8] = x8 + k[4];
    ks[9] = x9 + k[5];
    ks[10] = x10 + k[6];
    ks[11] = x11 + k[7];
    ks[12] = x12 + ctr;
    ks[13] = x13 + noncePrefix;
    ks[14] = x14 + (int) counter;
    ks[15] = x15 + (int) (counter >>> 32);
  }

  /** Derives the one-time Poly1305 key from block 0 (RFC 8439 §2.6) and resets the accumulator. */
  private void polyInit(int noncePrefix, long counter) {
    block(0, noncePrefix, counter);
    int[] ks = keystream;
    polyKey(ks[0], ks[1], ks[2], ks[3], ks[4], ks[5], ks[6], ks[7]);
  }

  /** Sets r (clamped) and s from the eight little-endian words of a 32-byte Poly1305 key. */
  private void polyKey(int k0, int k1, int k2, int k3, int k4, int k5, int k6, int k7) {
    long t0 = k0 & 0xffffffffL, t1 = k1 & 0xffffffffL;
    long t2 = k2 & 0xffffffffL, t3 = k3 & 0xffffffffL;
    r0 = t0 & 0x3ffffff;
    r1 = ((t0 >>> 26) | (t1 << 6)) & 0x3ffff03;
    r2 = ((t1 >>> 20) | (t2 << 12)) & 0x3ffc0ff;
    r3 = ((t2 >>> 14) | (t3 << 18)) & 0x3f03fff;
    r4 = (t3 >>> 8) & 0x00fffff;
    s1 = r1 * 5;
    s2 = r2 * 5;
    s3 = r3 * 5;
    s4 = r4 * 5;
    pad0 = k4 & 0xffffffffL;
    pad1 = k5 & 0xffffffffL;
    pad2 = k6 & 0xffffffffL;
    pad3 = k7 & 0xffffffffL;
    h0 = h1 = h2 = h3 = h4 = 0;
  }

  /** MACs {@code m[off, off+len)} zero-padded to a multiple of 16 bytes (AEAD {@code pad16}). */
  private void polyPadded(byte[] m, int off, int len) {
    int full = len >>> 4;
    polyBlocks(m, off, full, HIBIT);
    int rest = len & 15;
    if (rest != 0) {
      byte[] b = block;
      System.arraycopy(m, off + (full << 4), b, 0, rest);
      Arrays.fill(b, rest, 16, (byte) 0);
      polyBlocks(b, 0, 1, HIBIT);
    }
  }

  /** MACs the AEAD trailer {@code le64(aadLen) || le64(ciphertextLen)}. */
  private void polyLengths(int aadLen, int len) {
    byte[] b = block;
    LE32.set(b, 0, aadLen);
    LE32.set(b, 4, 0);
    LE32.set(b, 8, len);
    LE32.set(b, 12, 0);
    polyBlocks(b, 0, 1, HIBIT);
  }

  /** Absorbs {@code n} 16-byte blocks; {@code hibit} is 2^128 in limb 4, or 0 for a padded tail. */
  private void polyBlocks(byte[] m, int off, int n, long hibit) {
    long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
    final long q0 = r0, q1 = r1, q2 = r2, q3 = r3, q4 = r4;
    final long t1 = s1, t2 = s2, t3 = s3, t4 = s4;
    for (int i = 0; i < n; i++, off += 16) {
      long m0 = (int) LE32.get(m, off) & 0xffffffffL;
      long m1 = (int) LE32.get(m, off + 4) & 0xffffffffL;
      long m2 = (int) LE32.get(m, off + 8) & 0xffffffffL;
      long m3 = (int) LE32.get(m, off + 12) & 0xffffffffL;
      a0 += m0 & MASK26;
      a1 += ((m0 >>> 26) | (m1 << 6)) & MASK26;
      a2 += ((m1 >>> 20) | (m2 << 12)) & MASK26;
      a3 += ((m2 >>> 14) | (m3 << 18)) & MASK26;
      a4 += (m3 >>> 8) | hibit;

      long d0 = a0 * q0 + a1 * t4 + a2 * t3 + a3 * t2 + a4 * t1;
      long d1 = a0 * q1 + a1 * q0 + a2 * t4 + a3 * t3 + a4 * t2;
      long d2 = a0 * q2 + a1 * q1 + a2 * q0 + a3 * t4 + a4 * t3;
      long d3 = a0 * q3 + a1 * q2 + a2 * q1 + a3 * q0 + a4 * t4;
      long d4 = a0 * q4 + a1 * q3 + a2 * q2 + a3 * q1 + a4 * q0;

      long c = d0 >>> 26;
      a0 = d0 & MASK26;
      d1 += c;
      c = d1 >>> 26;
      a1 = d1 & MASK26;
      d2 += c;
      c = d2 >>> 26;
      a2 = d2 & MASK26;
      d3 += c;
      c = d3 >>> 26;
      a3 = d3 & MASK26;
      d4 += c;
      c = d4 >>> 26;
      a4 = d4 & MASK26;
      a0 += c * 5;
      c = a0 >>> 26;
      a0 &= MASK26;
      a1 += c;
    }
    h0 = a0;
    h1 = a1;
    h2 = a2;
    h3 = a3;
    h4 = a4;
  }

  /** Reduces h mod 2^130 − 5, adds s and writes the 16-byte tag to {@code out[outOff...)}. */
  private void polyFinish(byte[] out, int outOff) {
    long a0 = h0, a1 = h1, a2 = h2, a3 = h3, a4 = h4;
    long c = a1 >>> 26;
    a1 &= MASK26;
    a2 += c;
    c = a2 >>> 26;
    a2 &= MASK26;
    a3 += c;
    c = a3 >>> 26;
    a3 &= MASK26;
    a4 += c;
    c = a4 >>> 26;
    a4 &= MASK26;
    a0 += c * 5;
    c = a0 >>> 26;
    a0 &= MASK26;
    a1 += c;

    // g = h + 5 − 2^130; keep g when it did not borrow (h ≥ p), in constant time.
    long g0 = a0 + 5;
    c = g0 >>> 26;
    g0 &= MASK26;
    long g1 = a1 + c;
    c = g1 >>> 26;
    g1 &= MASK26;
    long g2 = a2 + c;
    c = g2 >>> 26;
    g2 &= MASK26;
    long g3 = a3 + c;
    c = g3 >>> 26;
    g3 &= MASK26;
    long g4 = a4 + c - (1L << 26);
    long useG = (g4 >>> 63) - 1; // all ones when g4 ≥ 0
    long useH = ~useG;
    a0 = (a0 & useH) | (g0 & useG);
    a1 = (a1 & useH) | (g1 & useG);
    a2 = (a2 & useH) | (g2 & useG);
    a3 = (a3 & useH) | (g3 & useG);
    a4 = (a4 & useH) | (g4 & useG);

    long w0 = (a0 | (a1 << 26)) & 0xffffffffL;
    long w1 = ((a1 >>> 6) | (a2 << 20)) & 0xffffffffL;
    long w2 = ((a2 >>> 12) | (a3 << 14)) & 0xffffffffL;
    long w3 = ((a3 >>> 18) | (a4 << 8)) & 0xffffffffL;

    long f = w0 + pad0;
    LE32.set(out, outOff, (int) f);
    f = w1 + pad1 + (f >>> 32);
    LE32.set(out, outOff + 4, (int) f);
    f = w2 + pad2 + (f >>> 32);
    LE32.set(out, outOff + 8, (int) f);
    f = w3 + pad3 + (f >>> 32);
    LE32.set(out, outOff + 12, (int) f);
  }

  /** Stand-alone Poly1305 (RFC 8439 §2.5) of {@code m[off, off+len)} under a 32-byte key. */
  void poly1305(byte[] key32, byte[] m, int off, int len, byte[] out, int outOff) {
    polyKey(
        (int) LE32.get(key32, 0),
        (int) LE32.get(key32, 4),
        (int) LE32.get(key32, 8),
        (int) LE32.get(key32, 12),
        (int) LE32.get(key32, 16),
        (int) LE32.get(key32, 20),
        (int) LE32.get(key32, 24),
        (int) LE32.get(key32, 28));
    int full = len >>> 4;
    polyBlocks(m, off, full, HIBIT);
    int rest = len & 15;
    if (rest != 0) {
      byte[] b = block;
      System.arraycopy(m, off + (full << 4), b, 0, rest);
      b[rest] = 1;
      Arrays.fill(b, rest + 1, 16, (byte) 0);
      polyBlocks(b, 0, 1, 0);
    }
    polyFinish(out, outOff);
  }
}
