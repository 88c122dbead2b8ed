package dev.gatehouse.tunnel.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/**
 * OpenSSL 3's ChaCha20-Poly1305 called straight through the default provider's dispatch table
 * ({@code OSSL_PROVIDER_query_operation}, the provider ABI of {@code core_dispatch.h}), skipping
 * the EVP layer. EVP's per-packet work around the provider — key and IV length queries through
 * {@code OSSL_PARAM} lookups on every init, the {@code ctrl} translation of tag requests — cost a
 * sixth of a 64-byte seal here (see BENCHMARKS.md); the provider functions do the same cipher work.
 *
 * <p>Optional like {@link LibCrypto}: {@link #available()} is false, with a reason, when the
 * default provider does not load or lacks the algorithm, and callers use the EVP calls instead. The
 * data calls are critical downcalls that may take heap segments; the {@code OSSL_PARAM} arrays they
 * read must live in native memory.
 */
public final class OpenSslProvider {
  /** {@code OSSL_PARAM_OCTET_STRING}. */
  public static final int PARAM_OCTET_STRING = 5;

  /** Bytes of one {@code OSSL_PARAM}: key, data_type, data, data_size, return_size. */
  public static final long PARAM_SIZE = 40;

  private static final int OP_CIPHER = 2;

  // OSSL_FUNC_CIPHER_* function ids of core_dispatch.h
  private static final int FN_NEWCTX = 1;
  private static final int FN_ENCRYPT_INIT = 2;
  private static final int FN_DECRYPT_INIT = 3;
  private static final int FN_UPDATE = 4;
  private static final int FN_FINAL = 5;
  private static final int FN_FREECTX = 7;
  private static final int FN_GET_CTX_PARAMS = 10;
  private static final int FN_SET_CTX_PARAMS = 11;
  private static final String ALGORITHM = "chacha20-poly1305";
  private static final Linker.Option CRITICAL = Linker.Option.critical(true);

  private static final String REASON;

  /** {@code void *newctx(void *provctx)} */
  public static final MethodHandle NEWCTX;

  /** {@code void freectx(void *cctx)} */
  public static final MethodHandle FREECTX;

  /** {@code int encrypt_init(cctx, const uchar *key, size_t, const uchar *iv, size_t, params)} */
  public static final MethodHandle ENCRYPT_INIT;

  /** {@code int decrypt_init(cctx, const uchar *key, size_t, const uchar *iv, size_t, params)} */
  public static final MethodHandle DECRYPT_INIT;

  /** {@code int update(cctx, uchar *out, size_t *outl, size_t outsize, const uchar *in, size_t)} */
  public static final MethodHandle UPDATE;

  /** {@code int final(cctx, uchar *out, size_t *outl, size_t outsize)}: 0 on a wrong tag. */
  public static final MethodHandle FINAL;

  /** {@code int get_ctx_params(cctx, OSSL_PARAM params[])} */
  public static final MethodHandle GET_CTX_PARAMS;

  /** {@code int set_ctx_params(cctx, const OSSL_PARAM params[])} */
  public static final MethodHandle SET_CTX_PARAMS;

  /** The default provider's context, the argument of {@link #NEWCTX}. */
  public static final MemorySegment PROVIDER_CONTEXT;

  /** {@code "tag"} ({@code OSSL_CIPHER_PARAM_AEAD_TAG}), a parameter key. */
  public static final MemorySegment TAG_KEY;

  static {
    MethodHandle[] h = new MethodHandle[8];
    MemorySegment provctx = MemorySegment.NULL;
    String reason = LibCrypto.unavailableReason();
    if (reason == null) {
      try {
        SymbolLookup lib = LibCrypto.LIBRARY.orElseThrow();
        MemorySegment provider =
            (MemorySegment)
                LibCrypto.downcall(
                        lib, "OSSL_PROVIDER_load", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS))
                    .invokeExact(MemorySegment.NULL, Arena.global().allocateFrom("default"));
        if (provider.equals(MemorySegment.NULL)) {
          throw new IllegalStateException("OpenSSL's default provider did not load");
        }
        provctx =
            (MemorySegment)
                LibCrypto.downcall(
                        lib,
                        "OSSL_PROVIDER_get0_provider_ctx",
                        FunctionDescriptor.of(ADDRESS, ADDRESS))
                    .invokeExact(provider);
        MemorySegment noCache = Arena.global().allocate(JAVA_INT);
        MemorySegment algorithms =
            (MemorySegment)
                LibCrypto.downcall(
                        lib,
                        "OSSL_PROVIDER_query_operation",
                        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS))
                    .invokeExact(provider, OP_CIPHER, noCache);
        bind(dispatchTable(algorithms), h);
      } catch (Throwable e) {
        reason = "OpenSSL provider dispatch unusable: " + e.getMessage();
      }
    }
    REASON = reason;
    NEWCTX = h[0];
    FREECTX = h[1];
    ENCRYPT_INIT = h[2];
    DECRYPT_INIT = h[3];
    UPDATE = h[4];
    FINAL = h[5];
    GET_CTX_PARAMS = h[6];
    SET_CTX_PARAMS = h[7];
    PROVIDER_CONTEXT = provctx;
    TAG_KEY = Arena.global().allocateFrom("tag");
  }

  private OpenSslProvider() {}

  /** Whether the provider's ChaCha20-Poly1305 functions are bound. */
  public static boolean available() {
    return REASON == null;
  }

  /** Why the provider dispatch is not used, or {@code null} when it is available. */
  public static String unavailableReason() {
    return REASON;
  }

  /**
   * The dispatch table of ChaCha20-Poly1305 in an {@code OSSL_ALGORITHM} array (names, properties,
   * implementation, description; ended by a null name), whose names are colon-separated aliases.
   */
  private static MemorySegment dispatchTable(MemorySegment algorithms) {
    if (algorithms.equals(MemorySegment.NULL)) {
      throw new IllegalStateException("the default provider lists no ciphers");
    }
    MemorySegment entries = algorithms.reinterpret(Long.MAX_VALUE);
    for (long at = 0; ; at += 4 * ADDRESS.byteSize()) {
      MemorySegment names = entries.get(ADDRESS, at);
      if (names.equals(MemorySegment.NULL)) {
        throw new IllegalStateException("the default provider has no ChaCha20-Poly1305");
      }
      String[] aliases =
          names.reinterpret(Long.MAX_VALUE).getString(0).toLowerCase(Locale.ROOT).split(":");
      for (String alias : aliases) {
        if (alias.equals(ALGORITHM)) {
          return entries.get(ADDRESS, at + 2 * ADDRESS.byteSize());
        }
      }
    }
  }

  /** Binds the functions of an {@code OSSL_DISPATCH} table ({int id; void (*fn)()}, id 0 ends). */
  private static void bind(MemorySegment table, MethodHandle[] h) {
    FunctionDescriptor init =
        FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG, ADDRESS);
    FunctionDescriptor params = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS);
    MemorySegment entries = table.reinterpret(Long.MAX_VALUE);
    Linker linker = Linker.nativeLinker();
    for (long at = 0; ; at += 16) {
      int id = entries.get(JAVA_INT, at);
      if (id == 0) {
        break;
      }
      MemorySegment fn = entries.get(ADDRESS, at + 8);
      switch (id) {
        case FN_NEWCTX -> h[0] = linker.downcallHandle(fn, FunctionDescriptor.of(ADDRESS, ADDRESS));
        case FN_FREECTX -> h[1] = linker.downcallHandle(fn, FunctionDescriptor.ofVoid(ADDRESS));
        case FN_ENCRYPT_INIT -> h[2] = linker.downcallHandle(fn, init, CRITICAL);
        case FN_DECRYPT_INIT -> h[3] = linker.downcallHandle(fn, init, CRITICAL);
        case FN_UPDATE ->
            h[4] =
                linker.downcallHandle(
                    fn,
                    FunctionDescriptor.of(
                        JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS, JAVA_LONG),
                    CRITICAL);
        case FN_FINAL ->
            h[5] =
                linker.downcallHandle(
                    fn,
                    FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG),
                    CRITICAL);
        case FN_GET_CTX_PARAMS -> h[6] = linker.downcallHandle(fn, params, CRITICAL);
        case FN_SET_CTX_PARAMS -> h[7] = linker.downcallHandle(fn, params, CRITICAL);
        default -> {} // the rest (one-shot cipher, dup, gettables) is not used
      }
    }
    for (MethodHandle handle : h) {
      if (handle == null) {
        throw new IllegalStateException("ChaCha20-Poly1305's dispatch table lacks a function");
      }
    }
  }
}
