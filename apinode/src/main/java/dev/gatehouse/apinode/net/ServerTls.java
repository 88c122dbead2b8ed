package dev.gatehouse.apinode.net;

import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The listener's TLS: a certificate chain and its private key from PEM files (see {@link
 * PemFiles}), checked to belong together, as a Netty server {@link SslContext}. Loaded once at
 * start; a replaced Secret takes effect on the next restart of the pod.
 */
public final class ServerTls {

  private final SslContext context;
  private final X509Certificate leaf;

  private ServerTls(SslContext context, X509Certificate leaf) {
    this.context = context;
    this.leaf = leaf;
  }

  /**
   * Reads and checks the files.
   *
   * @throws IllegalArgumentException naming the file when one is missing or unreadable, holds no
   *     certificate or key, or when the key does not belong to the chain's first certificate
   */
  public static ServerTls load(Path certificateFile, Path privateKeyFile) {
    List<X509Certificate> chain = PemFiles.certificates(certificateFile);
    PrivateKey key = PemFiles.privateKey(privateKeyFile);
    X509Certificate leaf = chain.getFirst();
    if (!belongTogether(key, leaf.getPublicKey())) {
      throw new IllegalArgumentException(
          "TLS private key "
              + privateKeyFile
              + " does not match the certificate "
              + certificateFile
              + " ("
              + leaf.getSubjectX500Principal().getName()
              + "): the key must be the one the first certificate was issued for");
    }
    try {
      SslContext context =
          SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).build();
      return new ServerTls(context, leaf);
    } catch (SSLException | RuntimeException e) {
      throw new IllegalArgumentException(
          "cannot use TLS certificate "
              + certificateFile
              + " with key "
              + privateKeyFile
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /** The served certificate (the chain's first), for the start-up log line. */
  public X509Certificate certificate() {
    return leaf;
  }

  /** A new first handler for one connection: TLS, or a plain-text refusal naming wss://. */
  ChannelHandler newHandler() {
    return new TlsOnlyHandler(context);
  }

  /** Signs a probe with {@code key} and verifies it with {@code certified}. */
  static boolean belongTogether(PrivateKey key, PublicKey certified) {
    if (!key.getAlgorithm().equals(certified.getAlgorithm())) {
      return false;
    }
    String algorithm =
        switch (key.getAlgorithm()) {
          case "RSA" -> "SHA256withRSA";
          case "EC" -> "SHA256withECDSA";
          case "Ed25519", "EdDSA" -> "Ed25519";
          default -> null;
        };
    if (algorithm == null) {
      return true; // no probe for this type; the handshake will tell
    }
    byte[] probe = "gatehouse key check".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try {
      Signature signer = Signature.getInstance(algorithm);
      signer.initSign(key);
      signer.update(probe);
      byte[] signature = signer.sign();
      Signature verifier = Signature.getInstance(algorithm);
      verifier.initVerify(certified);
      verifier.update(probe);
      return verifier.verify(signature);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }
}
