package dev.gatehouse.client.control;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The certificate authorities a control channel trusts instead of the JDK's: every certificate in a
 * PEM bundle (a private CA, cert-manager's {@code ca.crt}). Hostname verification is untouched: the
 * API's certificate must still name the host of the URL.
 */
public final class TrustedCa {

  private TrustedCa() {}

  /**
   * A TLS context trusting exactly the certificates in {@code pemFile}.
   *
   * @throws IllegalArgumentException naming the file when it is missing, unreadable or holds no PEM
   *     certificate
   */
  public static SSLContext sslContext(Path pemFile) {
    Collection<? extends Certificate> certs = certificates(pemFile);
    try {
      KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
      store.load(null, null);
      int i = 0;
      for (Certificate c : certs) {
        store.setCertificateEntry("ca-" + i++, c);
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, tmf.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalArgumentException("cannot trust the CA file " + pemFile + ": " + e, e);
    }
  }

  /** The certificates of {@code pemFile}, checked as {@link #sslContext} does. */
  public static Collection<? extends Certificate> certificates(Path pemFile) {
    if (!Files.isRegularFile(pemFile)) {
      throw new IllegalArgumentException("CA file " + pemFile + " does not exist");
    }
    byte[] pem;
    try {
      pem = Files.readAllBytes(pemFile);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read CA file " + pemFile + ": " + e, e);
    }
    if (!new String(pem, StandardCharsets.US_ASCII).contains("-----BEGIN CERTIFICATE-----")) {
      throw new IllegalArgumentException(
          "CA file "
              + pemFile
              + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    Collection<? extends Certificate> certs;
    try {
      certs =
          CertificateFactory.getInstance("X.509")
              .generateCertificates(new ByteArrayInputStream(pem));
    } catch (GeneralSecurityException | RuntimeException e) {
      throw new IllegalArgumentException(
          "CA file " + pemFile + " is not a PEM certificate bundle: " + e.getMessage(), e);
    }
    if (certs.isEmpty() || !certs.stream().allMatch(X509Certificate.class::isInstance)) {
      throw new IllegalArgumentException(
          "CA file "
              + pemFile
              + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
    }
    return certs;
  }
}
