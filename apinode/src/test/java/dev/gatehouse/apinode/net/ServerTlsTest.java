package dev.gatehouse.apinode.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM certificate and key loading: every key encoding a TLS Secret holds, and every failure. */
class ServerTlsTest {

  @TempDir static Path dir;
  static TestCertificates.Pem rsa;
  static TestCertificates.Pem ec;

  @BeforeAll
  static void certificates() throws Exception {
    rsa = TestCertificates.selfSigned(dir, "RSA");
    ec = TestCertificates.selfSigned(dir, "EC");
  }

  @Test
  void loadsPkcs8RsaAndEcPairs() {
    assertThat(ServerTls.load(rsa.certificate(), rsa.privateKey()).certificate())
        .isEqualTo(rsa.cert());
    assertThat(ServerTls.load(ec.certificate(), ec.privateKey()).certificate())
        .isEqualTo(ec.cert());
  }

  @Test
  void readsPkcs1RsaKeys() throws Exception {
    // PKCS#8 of a 2048-bit RSA key: 30 82 xx xx | 02 01 00 | AlgorithmIdentifier (15) | 04 82 xx xx
    byte[] pkcs8 = rsa.key().getEncoded();
    byte[] pkcs1 = Arrays.copyOfRange(pkcs8, 26, pkcs8.length);
    Path file = dir.resolve("pkcs1.key");
    Files.writeString(file, TestCertificates.pem("RSA PRIVATE KEY", pkcs1));

    PrivateKey key = PemFiles.privateKey(file);
    assertThat(key.getEncoded()).isEqualTo(pkcs8);
    assertThat(ServerTls.load(rsa.certificate(), file).certificate()).isEqualTo(rsa.cert());
  }

  @Test
  void readsSec1EcKeysAsCertManagerWritesThem() throws Exception {
    Path sec1 = dir.resolve("sec1.key");
    Process p;
    try {
      p =
          new ProcessBuilder(
                  "openssl",
                  "pkey",
                  "-in",
                  ec.privateKey().toString(),
                  "-traditional",
                  "-out",
                  sec1.toString())
              .redirectErrorStream(true)
              .start();
    } catch (java.io.IOException e) {
      Assumptions.abort("openssl is not installed");
      return;
    }
    p.getInputStream().readAllBytes();
    assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(Files.readString(sec1)).startsWith("-----BEGIN EC PRIVATE KEY-----");

    // SEC1 keeps the curve inside the key too, so compare the secret scalar, not the encoding.
    assertThat(((ECPrivateKey) PemFiles.privateKey(sec1)).getS())
        .isEqualTo(((ECPrivateKey) ec.key()).getS());
    assertThat(ServerTls.load(ec.certificate(), sec1).certificate()).isEqualTo(ec.cert());
  }

  @Test
  void aMissingFileIsNamed() {
    Path missing = dir.resolve("nope/tls.crt");
    assertThatThrownBy(() -> ServerTls.load(missing, rsa.privateKey()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("TLS certificate file " + missing + " does not exist");
    Path missingKey = dir.resolve("nope/tls.key");
    assertThatThrownBy(() -> ServerTls.load(rsa.certificate(), missingKey))
        .hasMessage("TLS private key file " + missingKey + " does not exist");
  }

  @Test
  void aFileWithoutTheRightPemBlockIsNamed() throws Exception {
    Path garbage = dir.resolve("garbage.pem");
    Files.writeString(garbage, "not a pem file\n");
    assertThatThrownBy(() -> ServerTls.load(garbage, rsa.privateKey()))
        .hasMessageStartingWith(garbage + " holds no PEM certificate");
    assertThatThrownBy(() -> ServerTls.load(rsa.certificate(), garbage))
        .hasMessageStartingWith(garbage + " holds no PEM private key");
    // The files swapped: a common slip when copying from a Secret.
    assertThatThrownBy(() -> ServerTls.load(rsa.privateKey(), rsa.certificate()))
        .hasMessageStartingWith(rsa.privateKey() + " holds no PEM certificate");
  }

  @Test
  void aBrokenBlockIsNamed() throws Exception {
    Path broken = dir.resolve("broken.crt");
    Files.writeString(broken, TestCertificates.pem("CERTIFICATE", new byte[] {0x30, 0x03, 1, 2}));
    assertThatThrownBy(() -> PemFiles.certificates(broken))
        .hasMessageStartingWith(broken + " is not a valid PEM certificate chain");
    Path brokenKey = dir.resolve("broken.key");
    Files.writeString(brokenKey, TestCertificates.pem("EC PRIVATE KEY", new byte[] {0x30, 0x00}));
    assertThatThrownBy(() -> PemFiles.privateKey(brokenKey))
        .hasMessageStartingWith(brokenKey + " has a EC PRIVATE KEY that cannot be read");
  }

  @Test
  void anEncryptedKeyIsRefusedWithTheReason() throws Exception {
    Path encrypted = dir.resolve("encrypted.key");
    Files.writeString(encrypted, TestCertificates.pem("ENCRYPTED PRIVATE KEY", new byte[] {1}));
    assertThatThrownBy(() -> PemFiles.privateKey(encrypted))
        .hasMessage(
            encrypted
                + " holds an encrypted private key; give it unencrypted (a Secret protects it)");
  }

  @Test
  void aKeyOfAnotherCertificateIsRefused() throws Exception {
    TestCertificates.Pem other = TestCertificates.selfSigned(dir, "RSA");
    assertThatThrownBy(() -> ServerTls.load(rsa.certificate(), other.privateKey()))
        .hasMessageStartingWith(
            "TLS private key "
                + other.privateKey()
                + " does not match the certificate "
                + rsa.certificate());
    assertThatThrownBy(() -> ServerTls.load(rsa.certificate(), ec.privateKey()))
        .hasMessageContaining("does not match the certificate");
  }

  @Test
  void aChainKeepsItsOrderAndSkipsOtherBlocks() throws Exception {
    Path chain = dir.resolve("chain.crt");
    Files.writeString(
        chain,
        Files.readString(rsa.certificate())
            + "some comment\n"
            + Files.readString(ec.privateKey())
            + Files.readString(ec.certificate()),
        StandardCharsets.US_ASCII);
    assertThat(PemFiles.certificates(chain)).containsExactly(rsa.cert(), ec.cert());
  }

  @Test
  void reloadPicksUpRenewedFilesAndKeepsServingWhenTheyAreBroken() throws Exception {
    Path crt = dir.resolve("reload-tls.crt");
    Path key = dir.resolve("reload-tls.key");
    Files.copy(rsa.certificate(), crt);
    Files.copy(rsa.privateKey(), key);
    ServerTls tls = ServerTls.load(crt, key);
    assertThat(tls.reloadIfChanged()).isInstanceOf(ServerTls.Reload.Unchanged.class);

    // Renewed: as the kubelet swaps a Secret volume, both files at once.
    Files.copy(ec.certificate(), crt, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    Files.copy(ec.privateKey(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reloadIfChanged()).isEqualTo(new ServerTls.Reload.Reloaded(ec.cert()));
    assertThat(tls.certificate()).isEqualTo(ec.cert());
    assertThat(tls.reloadIfChanged()).isInstanceOf(ServerTls.Reload.Unchanged.class);

    // Half a renewal: the key no longer matches. The served certificate stays.
    Files.copy(rsa.privateKey(), key, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    assertThat(tls.reloadIfChanged())
        .isInstanceOfSatisfying(
            ServerTls.Reload.Failed.class,
            f -> assertThat(f.reason()).contains(key.toString()).contains("does not match"));
    assertThat(tls.certificate()).isEqualTo(ec.cert());
    Files.delete(key);
    assertThat(tls.reloadIfChanged())
        .isEqualTo(new ServerTls.Reload.Failed("TLS private key file " + key + " does not exist"));
    assertThat(tls.certificate()).isEqualTo(ec.cert());
  }
}
