package dev.gatehouse.client.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A CA bundle loads from PEM; a bad one fails naming the file. */
public class TrustedCaTest {

  @TempDir Path dir;

  /** Two real CA certificates (from the JDK's own trust store) as one PEM bundle. */
  public static String jdkCaBundle() throws Exception {
    KeyStore cacerts = KeyStore.getInstance("PKCS12");
    try (InputStream in =
        Files.newInputStream(Path.of(System.getProperty("java.home"), "lib/security/cacerts"))) {
      cacerts.load(in, "changeit".toCharArray());
    }
    List<String> aliases = new ArrayList<>(Collections.list(cacerts.aliases()));
    StringBuilder pem = new StringBuilder();
    for (String alias : aliases.subList(0, 2)) {
      Certificate c = cacerts.getCertificate(alias);
      pem.append("-----BEGIN CERTIFICATE-----\n")
          .append(
              Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                  .encodeToString(c.getEncoded()))
          .append("\n-----END CERTIFICATE-----\n");
    }
    return pem.toString();
  }

  @Test
  void loadsEveryCertificateOfABundle() throws Exception {
    Path bundle = Files.writeString(dir.resolve("ca.crt"), jdkCaBundle());
    assertThat(TrustedCa.certificates(bundle)).hasSize(2);
    assertThat(TrustedCa.sslContext(bundle).getProtocol()).isEqualTo("TLS");
  }

  @Test
  void aMissingOrWrongFileIsNamed() throws Exception {
    Path missing = dir.resolve("none/ca.crt");
    assertThatThrownBy(() -> TrustedCa.sslContext(missing))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("CA file " + missing + " does not exist");
    Path empty = Files.writeString(dir.resolve("empty.crt"), "");
    assertThatThrownBy(() -> TrustedCa.sslContext(empty))
        .hasMessageStartingWith("CA file " + empty + " holds no PEM certificate");
    Path key = Files.writeString(dir.resolve("tls.key"), "-----BEGIN PRIVATE KEY-----\nAAAA\n");
    assertThatThrownBy(() -> TrustedCa.sslContext(key)).hasMessageContaining("CA file " + key);
  }

  @Test
  void aControlChannelWithABadCaFileFailsAtConstructionNamingIt() {
    Path missing = dir.resolve("ca.pem");
    ControlChannel.Options options =
        new ControlChannel.Options(
                java.net.URI.create("wss://api.example:8443"),
                "t",
                java.util.Map.of(),
                null,
                null,
                null)
            .withCaFile(missing);
    assertThatThrownBy(
            () ->
                new ControlChannel<>(
                    options, dev.gatehouse.protocol.Direction.CLIENT_OUTBOUND, null))
        .hasMessage("CA file " + missing + " does not exist");
  }
}
