package dev.gatehouse.tunnel.wireguard;

import dev.gatehouse.tunnel.sys.LibCrypto;
import dev.gatehouse.tunnel.sys.OpenSslProvider;
import java.util.Locale;

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
