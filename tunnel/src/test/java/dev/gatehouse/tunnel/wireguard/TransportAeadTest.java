package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.gatehouse.tunnel.sys.LibCrypto;
import dev.gatehouse.tunnel.sys.OpenSslProvider;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The {@link TransportAead} implementations (OpenSSL called through its provider and through EVP,
 * the JDK, plain Java) agree byte for byte (the plain-Java one is held to RFC 8439's vectors in
 * {@link ChaChaPolyTest}), reject forgeries, and work in place.
 */
class TransportAeadTest {
  private static final String[] ALL = {"openssl", "openssl-evp", "jdk", "java"};

  @Test
  void libcryptoIsPresentOnTheMachinesWeSupport() {
    // .ci/run installs libssl3; a machine without it falls back to the JDK, which is slower.
    assertThat(LibCrypto.unavailableReason()).isNull();
    assertThat(OpenSslProvider.unavailableReason()).isNull();
    assertThat(TransportAead.implementation()).isEqualTo("openssl");
    assertThat(TransportAead.of("openssl", new byte[32])).isInstanceOf(ProviderChaChaPoly.class);
  }

  @Test
  void allImplementationsSealAndOpenTheSameBytesForEveryLength() {
    assumeTrue(LibCrypto.available(), "libcrypto absent");
    Random random = new Random(7);
    byte[] key = new byte[32];
    random.nextBytes(key);
    // Separate openers, as a session has: the JDK refuses to encrypt with the nonce of its last
    // decryption.
    TransportAead[] aeads =
        Arrays.stream(ALL).map(i -> TransportAead.of(i, key)).toArray(TransportAead[]::new);
    TransportAead[] openers =
        Arrays.stream(ALL).map(i -> TransportAead.of(i, key)).toArray(TransportAead[]::new);
    for (int len = 0; len <= 2000; len += len < 80 ? 1 : 37) {
      byte[] plain = new byte[len];
      random.nextBytes(plain);
      long counter = random.nextLong();
      byte[] expected = null;
      for (TransportAead aead : aeads) {
        byte[] sealed = new byte[len + 16 + 3];
        assertThat(aead.seal(counter, plain, 0, len, sealed, 3)).isEqualTo(len + 16);
        byte[] body = Arrays.copyOfRange(sealed, 3, sealed.length);
        if (expected == null) {
          expected = body;
        }
        assertThat(body).as("%s, %d bytes", aead, len).isEqualTo(expected);
        for (TransportAead opener : openers) {
          byte[] opened = new byte[len + 5];
          assertThat(opener.open(counter, sealed, 3, len + 16, opened, 5)).isEqualTo(len);
          assertThat(Arrays.copyOfRange(opened, 5, 5 + len)).isEqualTo(plain);
        }
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "openssl-evp", "jdk", "java"})
  void forgedShortOrWrongCounterMessagesAreRejected(String implementation) {
    assumeTrue(!implementation.startsWith("openssl") || LibCrypto.available(), "libcrypto absent");
    byte[] key = new byte[32];
    Arrays.fill(key, (byte) 9);
    TransportAead aead = TransportAead.of(implementation, key);
    byte[] msg = new byte[100 + 16];
    new Random(1).nextBytes(msg);
    int n = aead.seal(42, msg, 0, 100, msg, 0); // in place
    byte[] out = new byte[100];
    assertThat(aead.open(42, msg, 0, n, out, 0)).isEqualTo(100);
    assertThat(aead.open(43, msg, 0, n, out, 0)).isEqualTo(-1);
    for (int i : new int[] {0, 50, 99, 100, 115}) {
      msg[i] ^= 1;
      assertThat(aead.open(42, msg, 0, n, out, 0)).as("bit flipped at %d", i).isEqualTo(-1);
      msg[i] ^= 1;
    }
    assertThat(aead.open(42, msg, 0, 15, out, 0)).isEqualTo(-1);
    assertThat(aead.open(42, msg, 0, n, out, 0))
        .as("still opens after the forgeries")
        .isEqualTo(100);
    // Sealing again after failed opens (the native context switches direction per call).
    assertThat(aead.seal(44, out, 0, 10, new byte[26], 0)).isEqualTo(26);
    aead.clear();
  }

  @ParameterizedTest
  @ValueSource(strings = {"openssl", "openssl-evp", "jdk", "java"})
  void messagesInNativeMemoryOpenAsTheSameBytesOnTheHeapDoAndForgeriesFail(String implementation) {
    assumeTrue(!implementation.startsWith("openssl") || LibCrypto.available(), "libcrypto absent");
    Random random = new Random(3);
    byte[] key = new byte[32];
    random.nextBytes(key);
    TransportAead sealer = TransportAead.of(implementation, key);
    TransportAead opener = TransportAead.of(implementation, key);
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment buffer = arena.allocate(4096); // a receive buffer, messages at any offset
      for (int len = 0; len <= 1500; len += len < 40 ? 1 : 73) {
        byte[] plain = new byte[len];
        random.nextBytes(plain);
        byte[] sealed = new byte[len + 16];
        sealer.seal(len, plain, 0, len, sealed, 0);
        long at = 7 + len % 64;
        MemorySegment.copy(sealed, 0, buffer, ValueLayout.JAVA_BYTE, at, sealed.length);
        byte[] opened = new byte[len + 2];
        assertThat(opener.open(len, buffer, at, len + 16, opened, 2)).isEqualTo(len);
        assertThat(Arrays.copyOfRange(opened, 2, 2 + len)).isEqualTo(plain);
        assertThat(opener.open(len + 1, buffer, at, len + 16, opened, 2)).isEqualTo(-1);
        long flip = at + random.nextInt(len + 16);
        buffer.set(
            ValueLayout.JAVA_BYTE, flip, (byte) (buffer.get(ValueLayout.JAVA_BYTE, flip) ^ 4));
        assertThat(opener.open(len, buffer, at, len + 16, opened, 2))
            .as("%d bytes", len)
            .isEqualTo(-1);
      }
      assertThat(opener.open(0, buffer, 0, 15, new byte[16], 0)).isEqualTo(-1);
      assertThatThrownBy(() -> opener.open(0, buffer, 4090, 100, new byte[100], 0))
          .isInstanceOf(IndexOutOfBoundsException.class);
    }
  }

  @Test
  void anUnknownImplementationIsRefusedByName() {
    assertThatThrownBy(() -> TransportAead.of("rot13", new byte[32])).hasMessageContaining("rot13");
  }
}
