package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import javax.crypto.Cipher;
import javax.crypto.spec.IvParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/** RFC 8439 known answers for {@link ChaChaPoly}, and a cross-check against the JDK's AEAD. */
class ChaChaPolyTest {
  private static final HexFormat HEX = HexFormat.of();
  private static final byte[] SUNSCREEN =
      ("Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the"
              + " future, sunscreen would be it.")
          .getBytes(StandardCharsets.US_ASCII);

  @Test
  void chacha20MatchesRfc8439Section242() {
    ChaChaPoly c = new ChaChaPoly(sequence(0x00));
    // nonce 00:00:00:00 | 00:00:00:4a:00:00:00:00, initial block counter 1
    byte[] out = new byte[SUNSCREEN.length];
    c.xor(1, 0, 0x4a000000L, SUNSCREEN, 0, SUNSCREEN.length, out, 0);
    assertThat(HEX.formatHex(out))
        .isEqualTo(
            "6e2e359a2568f98041ba0728dd0d6981e97e7aec1d4360c20a27afccfd9fae0b"
                + "f91b65c5524733ab8f593dabcd62b3571639d624e65152ab8f530c359f0861d8"
                + "07ca0dbf500d6a6156a38e088a22b65e52bc514d16ccf806818ce91ab7793736"
                + "5af90bbf74a35be6b40b8eedf2785e42874d");
  }

  @Test
  void poly1305MatchesRfc8439Section252() {
    byte[] key = HEX.parseHex("85d6be7857556d337f4452fe42d506a80103808afb0db2fd4abff6af4149f51b");
    byte[] msg = "Cryptographic Forum Research Group".getBytes(StandardCharsets.US_ASCII);
    byte[] tag = new byte[16];
    new ChaChaPoly().poly1305(key, msg, 0, msg.length, tag, 0);
    assertThat(HEX.formatHex(tag)).isEqualTo("a8061dc1305136c6c22b8baf0c0127a9");
  }

  @Test
  void aeadMatchesRfc8439Section282() {
    ChaChaPoly c = new ChaChaPoly(sequence(0x80));
    byte[] aad = HEX.parseHex("50515253c0c1c2c3c4c5c6c7");
    byte[] out = new byte[SUNSCREEN.length + 16];
    // nonce 07:00:00:00 | 40:41:42:43:44:45:46:47
    int n =
        c.seal(7, 0x4746454443424140L, aad, 0, aad.length, SUNSCREEN, 0, SUNSCREEN.length, out, 0);
    assertThat(n).isEqualTo(SUNSCREEN.length + 16);
    assertThat(HEX.formatHex(out))
        .isEqualTo(
            "d31a8d34648e60db7b86afbc53ef7ec2a4aded51296e08fea9e2b5a736ee62d6"
                + "3dbea45e8ca9671282fafb69da92728b1a71de0a9e060b2905d6a5b67ecd3b36"
                + "92ddbd7f2d778b8c9803aee328091b58fab324e4fad675945585808b4831d7bc"
                + "3ff4def08e4b7a9de576d26586cec64b6116"
                + "1ae10b594f09e26a7e902ecbd0600691");
    byte[] back = new byte[SUNSCREEN.length];
    assertThat(c.open(7, 0x4746454443424140L, aad, 0, aad.length, out, 0, out.length, back, 0))
        .isEqualTo(SUNSCREEN.length);
    assertThat(back).isEqualTo(SUNSCREEN);
  }

  @Test
  void opensRfc8439AppendixA5() {
    ChaChaPoly c =
        new ChaChaPoly(
            HEX.parseHex("1c9240a5eb55d38af333888604f6b5f0473917c1402b80099dca5cbc207075c0"));
    byte[] aad = HEX.parseHex("f33388860000000000004e91");
    byte[] sealed =
        HEX.parseHex(
            "64a0861575861af460f062c79be643bd5e805cfd345cf389f108670ac76c8cb2"
                + "4c6cfc18755d43eea09ee94e382d26b0bdb7b73c321b0100d4f03b7f355894cf"
                + "332f830e710b97ce98c8a84abd0b948114ad176e008d33bd60f982b1ff37c855"
                + "9797a06ef4f0ef61c186324e2b3506383606907b6a7c02b0f9f6157b53c867e4"
                + "b9166c767b804d46a59b5216cde7a4e99040c5a40433225ee282a1b0a06c523e"
                + "af4534d7f83fa1155b0047718cbc546a0d072b04b3564eea1b422273f548271a"
                + "0bb2316053fa76991955ebd63159434ecebb4e466dae5a1073a6727627097a10"
                + "49e617d91d361094fa68f0ff77987130305beaba2eda04df997b714d6c6f2c29"
                + "a6ad5cb4022b02709b"
                + "eead9d67890cbb22392336fea1851f38");
    // nonce 00:00:00:00 | 01:02:03:04:05:06:07:08
    long counter = 0x0807060504030201L;
    byte[] plain = new byte[sealed.length - 16];
    int n = c.open(0, counter, aad, 0, aad.length, sealed, 0, sealed.length, plain, 0);
    assertThat(n).isEqualTo(265);
    assertThat(new String(plain, StandardCharsets.UTF_8))
        .isEqualTo(
            "Internet-Drafts are draft documents valid for a maximum of six months and may be"
                + " updated, replaced, or obsoleted by other documents at any time. It is"
                + " inappropriate to use Internet-Drafts as reference material or to cite them"
                + " other than as /\u201cwork in progress./\u201d");
  }

  @Test
  void matchesTheJdkForEveryLengthUpTo2000() throws Exception {
    Random random = new Random(8439);
    Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
    ChaChaPoly c = new ChaChaPoly();
    byte[] key = new byte[32];
    for (int len = 0; len <= 2000; len++) {
      random.nextBytes(key);
      c.setKey(key);
      long counter = len % 3 == 0 ? len : random.nextLong();
      byte[] plain = new byte[len];
      random.nextBytes(plain);

      jdk.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), wireGuardNonce(counter));
      byte[] expected = jdk.doFinal(plain);

      int off = len % 7;
      byte[] out = new byte[off + len + 16 + 5];
      assertThat(c.seal(counter, plain, 0, len, out, off)).isEqualTo(len + 16);
      assertThat(Arrays.copyOfRange(out, off, off + len + 16))
          .as("len %d", len)
          .isEqualTo(expected);

      byte[] back = new byte[len + 3];
      assertThat(c.open(counter, expected, 0, expected.length, back, 3)).isEqualTo(len);
      assertThat(Arrays.copyOfRange(back, 3, 3 + len)).as("len %d", len).isEqualTo(plain);
    }
  }

  @Test
  void matchesTheJdkWithAssociatedData() throws Exception {
    Random random = new Random(7539);
    Cipher jdk = Cipher.getInstance("ChaCha20-Poly1305");
    ChaChaPoly c = new ChaChaPoly();
    byte[] key = new byte[32];
    byte[] nonce = new byte[12];
    for (int len : new int[] {0, 1, 15, 16, 17, 63, 64, 65, 200, 1420}) {
      for (int aadLen : new int[] {0, 1, 12, 16, 33}) {
        random.nextBytes(key);
        random.nextBytes(nonce);
        byte[] aad = new byte[aadLen];
        random.nextBytes(aad);
        byte[] plain = new byte[len];
        random.nextBytes(plain);
        jdk.init(
            Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "ChaCha20"), new IvParameterSpec(nonce));
        jdk.updateAAD(aad);
        byte[] expected = jdk.doFinal(plain);

        c.setKey(key);
        int prefix = Message.le32(nonce, 0);
        long counter = Message.le64(nonce, 4);
        byte[] out = new byte[len + 16];
        c.seal(prefix, counter, aad, 0, aadLen, plain, 0, len, out, 0);
        assertThat(out).as("len %d aad %d", len, aadLen).isEqualTo(expected);
        byte[] back = new byte[len];
        assertThat(c.open(prefix, counter, aad, 0, aadLen, out, 0, out.length, back, 0))
            .isEqualTo(len);
        assertThat(back).isEqualTo(plain);
      }
    }
  }

  @Test
  void worksInPlace() {
    Random random = new Random(1);
    ChaChaPoly c = new ChaChaPoly(sequence(0x42));
    for (int len : new int[] {0, 5, 64, 100, 1420, 2000}) {
      byte[] plain = new byte[len];
      random.nextBytes(plain);
      byte[] buf = new byte[16 + len + 16];
      System.arraycopy(plain, 0, buf, 16, len);
      byte[] expected = new byte[len + 16];
      c.seal(99, plain, 0, len, expected, 0);

      assertThat(c.seal(99, buf, 16, len, buf, 16)).isEqualTo(len + 16);
      assertThat(Arrays.copyOfRange(buf, 16, 16 + len + 16)).isEqualTo(expected);
      assertThat(c.open(99, buf, 16, len + 16, buf, 16)).isEqualTo(len);
      assertThat(Arrays.copyOfRange(buf, 16, 16 + len)).isEqualTo(plain);
    }
  }

  @Test
  void anyChangedByteIsRejectedAndNothingIsWritten() {
    Random random = new Random(2);
    ChaChaPoly c = new ChaChaPoly(sequence(0x10));
    byte[] plain = new byte[100];
    random.nextBytes(plain);
    byte[] sealed = new byte[116];
    c.seal(5, plain, 0, plain.length, sealed, 0);
    byte[] out = new byte[100];
    for (int i = 0; i < sealed.length; i++) {
      for (int bit = 0; bit < 8; bit++) {
        byte[] forged = sealed.clone();
        forged[i] ^= (byte) (1 << bit);
        assertThat(c.open(5, forged, 0, forged.length, out, 0))
            .as("byte %d bit %d", i, bit)
            .isEqualTo(-1);
      }
    }
    assertThat(out).containsOnly(0);
    assertThat(c.open(6, sealed, 0, sealed.length, out, 0)).as("other counter").isEqualTo(-1);
    assertThat(c.open(5, sealed, 0, sealed.length - 1, out, 0)).as("truncated").isEqualTo(-1);
    assertThat(c.open(5, sealed, 0, 15, out, 0)).as("shorter than a tag").isEqualTo(-1);
    ChaChaPoly other = new ChaChaPoly(sequence(0x11));
    assertThat(other.open(5, sealed, 0, sealed.length, out, 0)).as("other key").isEqualTo(-1);
    assertThat(out).containsOnly(0);
    assertThat(c.open(5, sealed, 0, sealed.length, out, 0)).isEqualTo(100);
    assertThat(out).isEqualTo(plain);
  }

  @Test
  void emptyMessageIsJustATag() {
    ChaChaPoly c = new ChaChaPoly(sequence(0));
    byte[] sealed = new byte[16];
    assertThat(c.seal(0, new byte[0], 0, 0, sealed, 0)).isEqualTo(16);
    assertThat(c.open(0, sealed, 0, 16, new byte[0], 0)).isZero();
    sealed[0] ^= 1;
    assertThat(c.open(0, sealed, 0, 16, new byte[0], 0)).isEqualTo(-1);
  }

  private static IvParameterSpec wireGuardNonce(long counter) {
    byte[] nonce = new byte[12];
    Message.putLe64(nonce, 4, counter);
    return new IvParameterSpec(nonce);
  }

  private static byte[] sequence(int first) {
    byte[] b = new byte[32];
    for (int i = 0; i < 32; i++) {
      b[i] = (byte) (first + i);
    }
    return b;
  }
}
