package dev.gatehouse.tunnel.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * The few OpenSSL 3 {@code libcrypto} EVP calls an AEAD needs, as FFM downcall handles. The library
 * is optional: {@link #available()} is false (and {@link #unavailableReason()} says why) when no
 * {@code libcrypto.so.3} loads or it lacks ChaCha20-Poly1305, and callers fall back to the JDK.
 *
 * <p>The data calls ({@link #ENCRYPT_UPDATE} and friends) are critical: they take heap segments
 * directly (no copy through native memory), never block and never call back into Java.
 */
public final class LibCrypto {
  /** {@code EVP_CTRL_AEAD_GET_TAG}. */
  public static final int CTRL_AEAD_GET_TAG = 0x10;

  /** {@code EVP_CTRL_AEAD_SET_TAG}. */
  public static final int CTRL_AEAD_SET_TAG = 0x11;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final Linker.Option CRITICAL = Linker.Option.critical(true);
  private static final FunctionDescriptor INIT =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, ADDRESS);
  private static final FunctionDescriptor UPDATE =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS, JAVA_INT);
  private static final FunctionDescriptor FINAL =
      FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS);

  private static final String REASON;

  /** {@code EVP_CIPHER_CTX *EVP_CIPHER_CTX_new(void)} */
  public static final MethodHandle CTX_NEW;

  /** {@code void EVP_CIPHER_CTX_free(EVP_CIPHER_CTX *ctx)} */
  public static final MethodHandle CTX_FREE;

  /** {@code int EVP_EncryptInit_ex(ctx, const EVP_CIPHER *, ENGINE *, const uchar *key, iv)} */
  public static final MethodHandle ENCRYPT_INIT;

  /** {@code int EVP_DecryptInit_ex(ctx, const EVP_CIPHER *, ENGINE *, const uchar *key, iv)} */
  public static final MethodHandle DECRYPT_INIT;

  /** {@code int EVP_EncryptUpdate(ctx, uchar *out, int *outl, const uchar *in, int inl)} */
  public static final MethodHandle ENCRYPT_UPDATE;

  /** {@code int EVP_DecryptUpdate(ctx, uchar *out, int *outl, const uchar *in, int inl)} */
  public static final MethodHandle DECRYPT_UPDATE;

  /** {@code int EVP_EncryptFinal_ex(ctx, uchar *out, int *outl)} */
  public static final MethodHandle ENCRYPT_FINAL;

  /** {@code int EVP_DecryptFinal_ex(ctx, uchar *out, int *outl)}: 0 when the tag is wrong. */
  public static final MethodHandle DECRYPT_FINAL;

  /** {@code int EVP_CIPHER_CTX_ctrl(ctx, int type, int arg, void *ptr)} */
  public static final MethodHandle CTX_CTRL;

  /** {@code EVP_chacha20_poly1305()}, or {@code NULL} when unavailable. */
  public static final MemorySegment CHACHA20_POLY1305;

  /** The loaded library, empty when absent. */
  static final Optional<SymbolLookup> LIBRARY = load();

  static {
    Optional<SymbolLookup> lib = LIBRARY;
    MethodHandle[] h = new MethodHandle[9];
    MemorySegment cipher = MemorySegment.NULL;
    String reason = null;
    if (lib.isEmpty()) {
      reason = "libcrypto.so.3 (OpenSSL 3) not found";
    } else {
      try {
        SymbolLookup l = lib.get();
        h[0] = downcall(l, "EVP_CIPHER_CTX_new", FunctionDescriptor.of(ADDRESS));
        h[1] = downcall(l, "EVP_CIPHER_CTX_free", FunctionDescriptor.ofVoid(ADDRESS));
        h[2] = downcall(l, "EVP_EncryptInit_ex", INIT, CRITICAL);
        h[3] = downcall(l, "EVP_DecryptInit_ex", INIT, CRITICAL);
        h[4] = downcall(l, "EVP_EncryptUpdate", UPDATE, CRITICAL);
        h[5] = downcall(l, "EVP_DecryptUpdate", UPDATE, CRITICAL);
        h[6] = downcall(l, "EVP_EncryptFinal_ex", FINAL, CRITICAL);
        h[7] = downcall(l, "EVP_DecryptFinal_ex", FINAL, CRITICAL);
        h[8] =
            downcall(
                l,
                "EVP_CIPHER_CTX_ctrl",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT, ADDRESS),
                CRITICAL);
        cipher =
            (MemorySegment)
                downcall(l, "EVP_chacha20_poly1305", FunctionDescriptor.of(ADDRESS)).invokeExact();
        if (cipher.equals(MemorySegment.NULL)) {
          reason = "libcrypto has no ChaCha20-Poly1305";
        }
      } catch (Throwable e) {
        reason = "libcrypto unusable: " + e;
      }
    }
    REASON = reason;
    CTX_NEW = h[0];
    CTX_FREE = h[1];
    ENCRYPT_INIT = h[2];
    DECRYPT_INIT = h[3];
    ENCRYPT_UPDATE = h[4];
    DECRYPT_UPDATE = h[5];
    ENCRYPT_FINAL = h[6];
    DECRYPT_FINAL = h[7];
    CTX_CTRL = h[8];
    CHACHA20_POLY1305 = cipher;
  }

  private LibCrypto() {}

  /** Whether libcrypto loaded with ChaCha20-Poly1305. */
  public static boolean available() {
    return REASON == null;
  }

  /** Why libcrypto is not used, or {@code null} when it is available. */
  public static String unavailableReason() {
    return REASON;
  }

  private static Optional<SymbolLookup> load() {
    for (String name : new String[] {"libcrypto.so.3", "libcrypto.so"}) {
      try {
        return Optional.of(SymbolLookup.libraryLookup(name, Arena.global()));
      } catch (IllegalArgumentException notThere) {
        // try the next name
      }
    }
    return Optional.empty();
  }

  static MethodHandle downcall(
      SymbolLookup lib, String fn, FunctionDescriptor fd, Linker.Option... opts) {
    return LINKER.downcallHandle(
        lib.find(fn).orElseThrow(() -> new IllegalStateException("libcrypto lacks " + fn)),
        fd,
        opts);
  }
}
