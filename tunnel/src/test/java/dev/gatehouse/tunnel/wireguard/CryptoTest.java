package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

/** Known-answer tests for the primitives the handshake is built from. */
class CryptoTest {
  private static final HexFormat HEX = HexFormat.of();

  @Test
  void x25519MatchesRfc7748() throws Exception {
    // RFC 7748 §6.1
    byte[] alicePriv =
        HEX.parseHex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    byte[] bobPub =
        HEX.parseHex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
    assertThat(HEX.formatHex(Crypto.publicKey(alicePriv)))
        .isEqualTo("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
    assertThat(HEX.formatHex(Crypto.dh(alicePriv, bobPub)))
        .isEqualTo("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  }

  @Test
  void x25519MatchesRfc7748ScalarMultiplicationVector() throws Exception {
    // RFC 7748 §5.2, first vector: the scalar is clamped by the function, not by the caller
    byte[] scalar =
        HEX.parseHex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4");
    byte[] u = HEX.parseHex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c");
    assertThat(HEX.formatHex(Crypto.dh(scalar, u)))
        .isEqualTo("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552");
    byte[] topBitSet = u.clone();
    topBitSet[31] |= (byte) 0x80;
    assertThat(Crypto.dh(scalar, topBitSet))
        .as("the top bit of u is ignored (RFC 7748 §5)")
        .isEqualTo(Crypto.dh(scalar, u));
  }

  @Test
  void x25519AgreesWithTheJdksXdh() throws Exception {
    var jdkKeys = java.security.KeyPairGenerator.getInstance("X25519");
    var factory = java.security.KeyFactory.getInstance("XDH");
    for (int i = 0; i < 32; i++) {
      byte[] ours = Crypto.generatePrivateKey();
      var theirs = jdkKeys.generateKeyPair();
      byte[] theirPublic = rawPublicKey((java.security.interfaces.XECPublicKey) theirs.getPublic());
      var agreement = javax.crypto.KeyAgreement.getInstance("X25519");
      agreement.init(theirs.getPrivate());
      agreement.doPhase(
          factory.generatePublic(
              new java.security.spec.XECPublicKeySpec(
                  java.security.spec.NamedParameterSpec.X25519,
                  new java.math.BigInteger(1, reversed(Crypto.publicKey(ours))))),
          true);
      assertThat(Crypto.dh(ours, theirPublic)).isEqualTo(agreement.generateSecret());
    }
  }

  private static byte[] rawPublicKey(java.security.interfaces.XECPublicKey key) {
    byte[] be = key.getU().toByteArray();
    byte[] le = new byte[32];
    for (int i = 0; i < Math.min(32, be.length); i++) {
      le[i] = be[be.length - 1 - i];
    }
    return le;
  }

  private static byte[] reversed(byte[] le) {
    byte[] be = new byte[le.length];
    for (int i = 0; i < le.length; i++) {
      be[i] = le[le.length - 1 - i];
    }
    return be;
  }

  @Test
  void lowOrderPointIsRejected() {
    assertThatThrownBy(() -> Crypto.dh(Crypto.generatePrivateKey(), new byte[32]))
        .isInstanceOf(Crypto.CryptoFailure.class);
  }

  @Test
  void blake2sMatchesRfc7693() {
    // RFC 7693 Appendix B: BLAKE2s-256("abc")
    assertThat(HEX.formatHex(Crypto.hash("abc".getBytes())))
        .isEqualTo("508c5e8c327c14e2e1a72ba34eeb452f37458b209ed63a294d999b4c86675982");
  }

  @Test
  void initialChainingKeyAndHashOfWireGuard() {
    // Values every WireGuard implementation precomputes (e.g. boringtun's INITIAL_CHAIN_KEY).
    assertThat(HEX.formatHex(Handshake.INITIAL_CHAIN_KEY))
        .isEqualTo("60e26daef327efc02ec335e2a025d2d016eb4206f87277f52d38d1988b78cd36");
    assertThat(HEX.formatHex(Handshake.INITIAL_HASH))
        .isEqualTo("2211b361081ac566691243db458ad5322d9c6c662293e8b70ee19c65ba079ef3");
  }

  @Test
  void hchacha20MatchesDraftTestVector() {
    // draft-irtf-cfrg-xchacha-03 §2.2.1
    byte[] key = HEX.parseHex("000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f");
    byte[] nonce = HEX.parseHex("000000090000004a0000000031415927");
    assertThat(HEX.formatHex(XChaCha20Poly1305.hchacha20(key, nonce)))
        .isEqualTo("82413b4227b27bfed30e42508a877d73a0f9e4d58a74a853c12ec41326d3ecdc");
  }

  @Test
  void xchachaRoundTripAndTamper() {
    byte[] key = new byte[32];
    byte[] nonce = new byte[24];
    nonce[23] = 1;
    byte[] ct = XChaCha20Poly1305.seal(key, nonce, "cookie-cookie-16".getBytes(), new byte[] {1});
    assertThat(ct).hasSize(32);
    ct[0] ^= 1;
    assertThatThrownBy(() -> XChaCha20Poly1305.open(key, nonce, ct, new byte[] {1}))
        .isInstanceOf(Crypto.CryptoFailure.class);
  }

  @Test
  void tai64nIsMonotonicAndBigEndian() {
    byte[] a = Crypto.tai64n(1_000_000_000_000_000_000L);
    byte[] b = Crypto.tai64n(1_000_000_000_100_000_000L);
    assertThat(java.util.Arrays.compareUnsigned(a, b)).isNegative();
    assertThat(a[0]).isEqualTo((byte) 0x40);
  }
}
