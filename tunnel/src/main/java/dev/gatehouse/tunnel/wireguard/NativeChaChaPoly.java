package dev.gatehouse.tunnel.wireguard;

import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.gatehouse.tunnel.sys.HeapSlices;
import dev.gatehouse.tunnel.sys.LibCrypto;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * {@link TransportAead} over OpenSSL's {@code EVP_chacha20_poly1305} through FFM: the key is set
 * once into a cipher context, each packet only re-initialises the nonce (and the direction), and
 * the data calls take the caller's heap arrays directly (critical downcalls), so a packet costs no
 * copy through native memory and no allocation. OpenSSL picks its fastest ChaCha20 and Poly1305
 * code for the CPU (AVX-512 or AVX2).
 *
 * <p>Not thread-safe. The context is freed (OpenSSL wipes its key) by {@link #clear} or, if that is
 * never called, when the instance becomes unreachable.
 */
final class NativeChaChaPoly implements SegmentOpeningAead {
  /** Frees the contexts of both OpenSSL implementations (one thread for both). */
  static final Cleaner CLEANER = Cleaner.create();

  private static final ValueLayout.OfLong LE64 =
      JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  private final MemorySegment ctx;
  private final MemorySegment nonce;
  private final MemorySegment outLength;
  private final Cleaner.Cleanable cleanable;

  NativeChaChaPoly(byte[] key32) {
    if (key32.length != 32) {
      throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
    }
    if (!LibCrypto.available()) {
      throw new IllegalStateException(LibCrypto.unavailableReason());
    }
    Native state = new Native();
    cleanable = CLEANER.register(this, state);
    // Critical downcalls take heap segments, so only the context itself lives in native memory.
    MemorySegment scratch = MemorySegment.ofArray(new int[4]);
    nonce = scratch.asSlice(0, 12);
    outLength = scratch.asSlice(12, 4);
    ctx = state.ctx = newContext(MemorySegment.ofArray(key32));
  }

  @Override
  public int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(off, len, in.length);
    Objects.checkFromIndexSize(outOff, len + TAG_SIZE, out.length);
    nonce.set(LE64, 4, counter);
    try {
      check((int) LibCrypto.ENCRYPT_INIT.invokeExact(ctx, NULL, NULL, NULL, nonce));
      HeapSlices slices = HeapSlices.current();
      MemorySegment to = slices.at(out, outOff);
      MemorySegment from = slices.at(in, off); // the same entry as to when in place
      MemorySegment tag = slices.at(out, outOff + len);
      check((int) LibCrypto.ENCRYPT_UPDATE.invokeExact(ctx, to, outLength, from, len));
      check((int) LibCrypto.ENCRYPT_FINAL.invokeExact(ctx, tag, outLength));
      check((int) LibCrypto.CTX_CTRL.invokeExact(ctx, LibCrypto.CTRL_AEAD_GET_TAG, TAG_SIZE, tag));
    } catch (Throwable e) {
      throw new IllegalStateException("OpenSSL ChaCha20-Poly1305 encryption failed", e);
    }
    return len + TAG_SIZE;
  }

  @Override
  public int openAt(long counter, MemorySegment from, int len, byte[] out, int outOff) {
    int n = len - TAG_SIZE;
    Objects.checkFromIndexSize(outOff, n, out.length);
    nonce.set(LE64, 4, counter);
    try {
      HeapSlices slices = HeapSlices.current();
      MemorySegment to = slices.at(out, outOff);
      MemorySegment tag = slices.at(from, n);
      if ((int) LibCrypto.DECRYPT_INIT.invokeExact(ctx, NULL, NULL, NULL, nonce) != 1
          || (int) LibCrypto.CTX_CTRL.invokeExact(ctx, LibCrypto.CTRL_AEAD_SET_TAG, TAG_SIZE, tag)
              != 1
          || (int) LibCrypto.DECRYPT_UPDATE.invokeExact(ctx, to, outLength, from, n) != 1
          || (int) LibCrypto.DECRYPT_FINAL.invokeExact(ctx, slices.at(out, outOff + n), outLength)
              != 1) {
        return -1;
      }
    } catch (Throwable e) {
      return -1;
    }
    return n;
  }

  @Override
  public void clear() {
    cleanable.clean();
  }

  private static final MemorySegment NULL = MemorySegment.NULL;

  private static MemorySegment newContext(MemorySegment key) {
    try {
      MemorySegment ctx = (MemorySegment) LibCrypto.CTX_NEW.invokeExact();
      if (ctx.equals(NULL)) {
        throw new IllegalStateException("EVP_CIPHER_CTX_new failed");
      }
      if ((int)
              LibCrypto.ENCRYPT_INIT.invokeExact(ctx, LibCrypto.CHACHA20_POLY1305, NULL, key, NULL)
          != 1) {
        LibCrypto.CTX_FREE.invokeExact(ctx);
        throw new IllegalStateException("OpenSSL refused the ChaCha20-Poly1305 key");
      }
      return ctx;
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }

  private static void check(int result) {
    if (result != 1) {
      throw new IllegalStateException("OpenSSL call returned " + result);
    }
  }

  /** What the cleaner frees: the context (OpenSSL wipes its key). */
  private static final class Native implements Runnable {
    MemorySegment ctx = NULL;

    @Override
    public void run() {
      try {
        if (!ctx.equals(NULL)) {
          LibCrypto.CTX_FREE.invokeExact(ctx);
        }
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
