package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.wireguard.ChaChaPoly;
import dev.gatehouse.tunnel.wireguard.TransportAead;
import java.security.GeneralSecurityException;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Per-packet ChaCha20-Poly1305 with WireGuard transport nonces ({@code 0^32 || le64(counter)}, no
 * associated data): the JDK's {@code Cipher} with {@code init} + {@code doFinal} per packet on a
 * reused instance (what {@code Keypair} did) against {@link ChaChaPoly} and OpenSSL's libcrypto
 * through FFM, called through its default provider's dispatch table ({@link TransportAead#of}{@code
 * ("openssl", key)}) and through EVP ({@code "openssl-evp"}). Seal runs in place with a fresh
 * counter per packet; open decrypts one sealed packet into a separate buffer, as the receive path
 * does. Run with {@code -prof gc} to see the per-packet allocation.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class AeadBenchmark {
  private static final long OPEN_COUNTER = 12345;

  @Param({"64", "512", "1420"})
  public int size;

  private SecretKeySpec jdkKey;
  private Cipher jdkCipher;
  private final byte[] nonce = new byte[12];
  private ChaChaPoly chaChaPoly;
  private TransportAead openSsl;
  private TransportAead openSslEvp;
  private byte[] buf;
  private byte[] sealed;
  private byte[] plain;
  private long counter;

  @Setup(Level.Trial)
  public void setUp() throws GeneralSecurityException {
    Random random = new Random(42);
    byte[] key = new byte[32];
    random.nextBytes(key);
    jdkKey = new SecretKeySpec(key, "ChaCha20");
    jdkCipher = Cipher.getInstance("ChaCha20-Poly1305");
    chaChaPoly = new ChaChaPoly(key);
    openSsl = TransportAead.of("openssl", key);
    openSslEvp = TransportAead.of("openssl-evp", key);
    buf = new byte[size + ChaChaPoly.TAG_SIZE];
    random.nextBytes(buf);
    plain = new byte[size];
    sealed = new byte[size + ChaChaPoly.TAG_SIZE];
    chaChaPoly.seal(OPEN_COUNTER, buf, 0, size, sealed, 0);
  }

  @Benchmark
  public int jdkSeal() throws GeneralSecurityException {
    putLe64(nonce, 4, counter++);
    jdkCipher.init(Cipher.ENCRYPT_MODE, jdkKey, new IvParameterSpec(nonce));
    return jdkCipher.doFinal(buf, 0, size, buf, 0);
  }

  @Benchmark
  public int chaChaPolySeal() {
    return chaChaPoly.seal(counter++, buf, 0, size, buf, 0);
  }

  @Benchmark
  public int jdkOpen() throws GeneralSecurityException {
    putLe64(nonce, 4, OPEN_COUNTER);
    jdkCipher.init(Cipher.DECRYPT_MODE, jdkKey, new IvParameterSpec(nonce));
    return jdkCipher.doFinal(sealed, 0, sealed.length, plain, 0);
  }

  @Benchmark
  public int chaChaPolyOpen() {
    int n = chaChaPoly.open(OPEN_COUNTER, sealed, 0, sealed.length, plain, 0);
    if (n < 0) {
      throw new IllegalStateException("authentication failed");
    }
    return n;
  }

  @Benchmark
  public int openSslSeal() {
    return openSsl.seal(counter++, buf, 0, size, buf, 0);
  }

  @Benchmark
  public int openSslOpen() {
    int n = openSsl.open(OPEN_COUNTER, sealed, 0, sealed.length, plain, 0);
    if (n < 0) {
      throw new IllegalStateException("authentication failed");
    }
    return n;
  }

  @Benchmark
  public int openSslEvpSeal() {
    return openSslEvp.seal(counter++, buf, 0, size, buf, 0);
  }

  @Benchmark
  public int openSslEvpOpen() {
    int n = openSslEvp.open(OPEN_COUNTER, sealed, 0, sealed.length, plain, 0);
    if (n < 0) {
      throw new IllegalStateException("authentication failed");
    }
    return n;
  }

  private static void putLe64(byte[] b, int off, long v) {
    for (int i = 0; i < 8; i++) {
      b[off + i] = (byte) (v >>> (8 * i));
    }
  }
}
