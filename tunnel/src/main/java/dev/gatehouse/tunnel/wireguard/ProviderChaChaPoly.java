package dev.gatehouse.tunnel.wireguard;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_LONG_UNALIGNED;

import dev.gatehouse.tunnel.sys.HeapSlices;
import dev.gatehouse.tunnel.sys.Libc;
import dev.gatehouse.tunnel.sys.OpenSslProvider;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.ref.Cleaner;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * {@link TransportAead} over OpenSSL's ChaCha20-Poly1305 called through the default provider's
 * dispatch table ({@link OpenSslProvider}): the same cipher code as {@link NativeChaChaPoly} with
 * the EVP layer left out. The key is set once; a packet is an IV-only init, one update, the final
 * and one tag parameter call, each a critical downcall on the caller's heap arrays. The tag travels
 * through a 16-byte native buffer, which the {@code OSSL_PARAM} naming it must point to.
 *
 * <p>Not thread-safe. The context is freed (the provider wipes its key) by {@link #clear} or, if
 * that is never called, when the instance becomes unreachable.
 */
final class ProviderChaChaPoly implements SegmentOpeningAead {
  private static final Cleaner CLEANER = NativeChaChaPoly.CLEANER;
  private static final ValueLayout.OfLong LE64 =
      JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final MemorySegment NULL = MemorySegment.NULL;
  private static final long NONCE_SIZE = 12;

  /** Where the tag sits in the parameter block, after the two parameters. */
  private static final long TAG_AT = 2 * OpenSslProvider.PARAM_SIZE;

  private final MemorySegment ctx;
  private final MemorySegment nonce;
  private final MemorySegment outLength;
  private final MemorySegment tagParams;
  private final Cleaner.Cleanable cleanable;

  ProviderChaChaPoly(byte[] key32) {
    if (key32.length != 32) {
      throw new IllegalArgumentException("ChaCha20 key must be 32 bytes");
    }
    if (!OpenSslProvider.available()) {
      throw new IllegalStateException(OpenSslProvider.unavailableReason());
    }
    Native state = new Native();
    cleanable = CLEANER.register(this, state);
    MemorySegment scratch = MemorySegment.ofArray(new long[3]);
    nonce = scratch.asSlice(0, NONCE_SIZE);
    outLength = scratch.asSlice(16, 8);
    try {
      // { "tag", OCTET_STRING, tag, 16, unmodified }, the terminating empty parameter, the tag:
      // malloc'ed and freed with the context (an automatic arena would cost 0.5 KB of heap a peer)
      long size = TAG_AT + TAG_SIZE;
      MemorySegment params = ((MemorySegment) Libc.MALLOC.invokeExact(size)).reinterpret(size);
      if (params.equals(NULL)) {
        throw new OutOfMemoryError("no native memory for an OpenSSL parameter block");
      }
      state.params = params;
      params.fill((byte) 0);
      params.set(ADDRESS, 0, OpenSslProvider.TAG_KEY);
      params.set(JAVA_INT, 8, OpenSslProvider.PARAM_OCTET_STRING);
      params.set(ADDRESS, 16, params.asSlice(TAG_AT));
      params.set(JAVA_LONG, 24, TAG_SIZE);
      params.set(JAVA_LONG, 32, -1L);
      tagParams = params;
      ctx =
          state.ctx =
              (MemorySegment) OpenSslProvider.NEWCTX.invokeExact(OpenSslProvider.PROVIDER_CONTEXT);
      if (ctx.equals(NULL)
          || (int)
                  OpenSslProvider.ENCRYPT_INIT.invokeExact(
                      ctx, MemorySegment.ofArray(key32), 32L, NULL, 0L, NULL)
              != 1) {
        throw new IllegalStateException("OpenSSL refused the ChaCha20-Poly1305 key");
      }
    } catch (RuntimeException | Error e) {
      cleanable.clean();
      throw e;
    } catch (Throwable e) {
      cleanable.clean();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(off, len, in.length);
    Objects.checkFromIndexSize(outOff, len + TAG_SIZE, out.length);
    nonce.set(LE64, 4, counter);
    try {
      HeapSlices slices = HeapSlices.current();
      MemorySegment to = slices.at(out, outOff);
      MemorySegment from = slices.at(in, off); // the same entry as to when in place
      check((int) OpenSslProvider.ENCRYPT_INIT.invokeExact(ctx, NULL, 0L, nonce, NONCE_SIZE, NULL));
      check(
          (int)
              OpenSslProvider.UPDATE.invokeExact(ctx, to, outLength, (long) len, from, (long) len));
      check(
          (int)
              OpenSslProvider.FINAL.invokeExact(ctx, slices.at(out, outOff + len), outLength, 0L));
      check((int) OpenSslProvider.GET_CTX_PARAMS.invokeExact(ctx, tagParams));
    } catch (Throwable e) {
      throw new IllegalStateException("OpenSSL ChaCha20-Poly1305 encryption failed", e);
    }
    MemorySegment.copy(tagParams, JAVA_BYTE, TAG_AT, out, outOff + len, TAG_SIZE);
    return len + TAG_SIZE;
  }

  @Override
  public int openAt(long counter, MemorySegment from, int len, byte[] out, int outOff) {
    int n = len - TAG_SIZE;
    Objects.checkFromIndexSize(outOff, n, out.length);
    nonce.set(LE64, 4, counter);
    MemorySegment.copy(from, n, tagParams, TAG_AT, TAG_SIZE);
    try {
      HeapSlices slices = HeapSlices.current();
      MemorySegment to = slices.at(out, outOff);
      if ((int) OpenSslProvider.DECRYPT_INIT.invokeExact(ctx, NULL, 0L, nonce, NONCE_SIZE, NULL)
              != 1
          || (int) OpenSslProvider.SET_CTX_PARAMS.invokeExact(ctx, tagParams) != 1
          || (int) OpenSslProvider.UPDATE.invokeExact(ctx, to, outLength, (long) n, from, (long) n)
              != 1
          || (int) OpenSslProvider.FINAL.invokeExact(ctx, slices.at(out, outOff + n), outLength, 0L)
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

  private static void check(int result) {
    if (result != 1) {
      throw new IllegalStateException("OpenSSL call returned " + result);
    }
  }

  /** What the cleaner frees: the provider's context (which wipes the key) and the parameters. */
  private static final class Native implements Runnable {
    MemorySegment ctx = NULL;
    MemorySegment params = NULL;

    @Override
    public void run() {
      try {
        if (!ctx.equals(NULL)) {
          OpenSslProvider.FREECTX.invokeExact(ctx);
        }
        if (!params.equals(NULL)) {
          Libc.FREE.invokeExact(params);
        }
      } catch (Throwable e) {
        throw new IllegalStateException(e);
      }
    }
  }
}
