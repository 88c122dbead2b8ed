package dev.gatehouse.apinode.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates for {@code localhost} and {@code 127.0.0.1} (SAN), made with the JDK's
 * {@code keytool} (always there, unlike openssl) and written as PEM like a kubernetes.io/tls
 * Secret: {@code tls.crt} and {@code tls.key} (PKCS#8). The certificate is its own CA, so {@code
 * tls.crt} is also the CA file a client trusts.
 */
public final class TestCertificates {

  /** The written files and what they hold. */
  public record Pem(Path certificate, Path privateKey, X509Certificate cert, PrivateKey key) {}

  private TestCertificates() {}

  /** A fresh pair in {@code dir}; {@code keyAlg} is {@code RSA} or {@code EC}. */
  public static Pem selfSigned(Path dir, String keyAlg) throws Exception {
    return selfSigned(dir, keyAlg, "dns:localhost,ip:127.0.0.1");
  }

  /** A fresh pair for the subject alternative names {@code san} (keytool's syntax). */
  public static Pem selfSigned(Path dir, String keyAlg, String san) throws Exception {
    Files.createDirectories(dir);
    String name = keyAlg.toLowerCase() + "-" + UUID.randomUUID().toString().substring(0, 8);
    Path store = dir.resolve(name + ".p12");
    String keytool = Path.of(System.getProperty("java.home"), "bin", "keytool").toString();
    Process p =
        new ProcessBuilder(
                keytool,
                "-genkeypair",
                "-alias",
                "api",
                "-keyalg",
                keyAlg,
                keyAlg.equals("EC") ? "-groupname" : "-keysize",
                keyAlg.equals("EC") ? "secp256r1" : "2048",
                "-dname",
                "CN=localhost",
                "-ext",
                "san=" + san,
                "-ext",
                "bc:c=ca:true",
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                store.toString(),
                "-storepass",
                "changeit",
                "-keypass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new IOException("keytool failed: " + out);
    }
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(store)) {
      ks.load(in, "changeit".toCharArray());
    }
    X509Certificate cert = (X509Certificate) ks.getCertificate("api");
    PrivateKey key = (PrivateKey) ks.getKey("api", "changeit".toCharArray());
    Path crt = dir.resolve(name + "-tls.crt");
    Path pk = dir.resolve(name + "-tls.key");
    Files.writeString(crt, pem("CERTIFICATE", cert.getEncoded()));
    Files.writeString(pk, pem("PRIVATE KEY", key.getEncoded()));
    return new Pem(crt, pk, cert, key);
  }

  /** PEM armor around {@code der}, 64 columns. */
  public static String pem(String type, byte[] der) {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
  }
}
