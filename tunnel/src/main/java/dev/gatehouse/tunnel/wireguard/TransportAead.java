package dev.gatehouse.tunnel.wireguard;

import dev.gatehouse.tunnel.sys.LibCrypto;
import dev.gatehouse.tunnel.sys.OpenSslProvider;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;
import java.util.Objects;

/**
 * ChaCha20-Poly1305 for one direction of one session with WireGuard's transport nonce ({@code 0^32
 * || le64(counter)}, §5.4.6) and no associated data. An instance holds one key and is used by one
 * thread at a time. {@link #forKey} picks the implementation: OpenSSL's {@code libcrypto} through
 * FFM when it loads (fastest here and allocation-free, see BENCHMARKS.md) — its default provider's
 * functions called directly ({@link ProviderChaChaPoly}), or through EVP when that binding fails —
 * else the JDK's {@code Cipher}; the system property {@code gatehouse.aead} ({@code openssl},
 * {@code openssl-evp}, {@code jdk} or {@code java}, the plain-Java {@link ChaChaPoly}) overrides
 * the choice.
 */
public interface TransportAead {
  /** Tag size in bytes. */
  int TAG_SIZE = 16;

  /**
   * Encrypts {@code in[off, off+len)} into {@code out[outOff, outOff+len+16)} (ciphertext, then
   * tag); in place when both are the same range. Returns {@code len + 16}.
   */
  int seal(long counter, byte[] in, int off, int len, byte[] out, int outOff);

  /**
   * Authenticates and decrypts {@code in[off, off+len)} (ciphertext, then tag) into {@code
   * out[outOff...)}. Returns the plaintext length, or -1 when the message is shorter than a tag or
   * the tag does not match; then the output holds no usable plaintext (the native implementation
   * may have written unauthenticated bytes into it). Never throws on hostile input.
   */
  int open(long counter, byte[] in, int off, int len, byte[] out, int outOff);

  /**
   * {@link #open} of a message in a memory segment, {@code in[off, off+len)}: a datagram still in
   * the socket's receive buffer, or a heap array seen as a segment. The OpenSSL implementations
   * decrypt it where it lies, so a received datagram is copied once (by the kernel) before it is
   * plaintext; this default, for the others, opens a heap segment's array where it is and copies
   * native memory to the heap first.
   */
  default int open(long counter, MemorySegment in, long off, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(off, len, in.byteSize());
    if (in.heapBase().orElse(null) instanceof byte[] array) {
      return open(counter, array, (int) (in.address() + off), len, out, outOff);
    }
    byte[] copy = new byte[len];
    MemorySegment.copy(in, ValueLayout.JAVA_BYTE, off, copy, 0, len);
    return open(counter, copy, 0, len, out, outOff);
  }

  /** Wipes the key; the instance must not be used afterwards. */
  void clear();

  /**
   * The implementation {@link #forKey} uses: {@code openssl}, {@code openssl-evp}, {@code jdk} or
   * {@code java}.
   */
  static String implementation() {
    String forced = System.getProperty("gatehouse.aead", "").toLowerCase(Locale.ROOT);
    return switch (forced) {
      case "openssl", "openssl-evp", "jdk", "java" -> forced;
      case "" ->
          !LibCrypto.available() ? "jdk" : OpenSslProvider.available() ? "openssl" : "openssl-evp";
      default ->
          throw new IllegalArgumentException(
              "gatehouse.aead must be openssl, openssl-evp, jdk or java, not " + forced);
    };
  }

  /** A new instance for {@code key32}, which the caller may wipe afterwards. */
  static TransportAead forKey(byte[] key32) {
    return of(implementation(), key32);
  }

  /** A new instance of the named implementation (see {@link #implementation}) for {@code key32}. */
  static TransportAead of(String implementation, byte[] key32) {
    return switch (implementation) {
      case "openssl" ->
          OpenSslProvider.available() ? new ProviderChaChaPoly(key32) : new NativeChaChaPoly(key32);
      case "openssl-evp" -> new NativeChaChaPoly(key32);
      case "java" -> new JavaTransportAead(new ChaChaPoly(key32));
      case "jdk" -> new JdkChaChaPoly(key32);
      default ->
          throw new IllegalArgumentException("unknown AEAD implementation " + implementation);
    };
  }
}
