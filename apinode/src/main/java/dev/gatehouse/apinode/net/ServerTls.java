package dev.gatehouse.apinode.net;

import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The listener's TLS: a certificate chain and its private key from PEM files (see {@link
 * PemFiles}), checked to belong together, as a Netty server {@link SslContext}. {@link
 * #reloadIfChanged()} picks up renewed files (cert-manager renews before expiry, and the kubelet
 * swaps both files of a Secret volume at once): new connections get the new certificate, open ones
 * keep theirs. A broken renewal keeps the certificate being served.
 */
public final class ServerTls {

  /** What one {@link #reloadIfChanged()} did. */
  public sealed interface Reload {
    /** The files hold what is being served. */
    record Unchanged() implements Reload {}

    /** New connections get {@code certificate} from now on. */
    record Reloaded(X509Certificate certificate) implements Reload {}

    /** The files changed but cannot be used; the previous certificate is still served. */
    record Failed(String reason) implements Reload {}
  }

  /** A usable pair and the digest of the file contents it came from. */
  private record Loaded(SslContext context, X509Certificate leaf, byte[] digest) {}

  private final Path certificateFile;
  private final Path privateKeyFile;
  private volatile Loaded current;

  private ServerTls(Path certificateFile, Path privateKeyFile, Loaded current) {
    this.certificateFile = certificateFile;
    this.privateKeyFile = privateKeyFile;
    this.current = current;
  }

  /**
   * Reads and checks the files.
   *
   * @throws IllegalArgumentException naming the file when one is missing or unreadable, holds no
   *     certificate or key, or when the key does not belong to the chain's first certificate
   */
  public static ServerTls load(Path certificateFile, Path privateKeyFile) {
    byte[] digest = digestOrNull(certificateFile, privateKeyFile);
    return new ServerTls(
        certificateFile, privateKeyFile, read(certificateFile, privateKeyFile, digest));
  }

  /**
   * Reads the files again when their contents changed. Never throws: a failure is a {@link
   * Reload.Failed} naming the file, and the served certificate stays.
   */
  public Reload reloadIfChanged() {
    byte[] digest = digestOrNull(certificateFile, privateKeyFile);
    if (digest != null && Arrays.equals(digest, current.digest())) {
      return new Reload.Unchanged();
    }
    try {
      current = read(certificateFile, privateKeyFile, digest);
      return new Reload.Reloaded(current.leaf());
    } catch (IllegalArgumentException e) {
      return new Reload.Failed(e.getMessage());
    }
  }

  private static Loaded read(Path certificateFile, Path privateKeyFile, byte[] digest) {
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
      return new Loaded(context, leaf, digest == null ? new byte[0] : digest);
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

  /** SHA-256 over both files' bytes; null when one cannot be read (reading then reports it). */
  private static byte[] digestOrNull(Path certificateFile, Path privateKeyFile) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(Files.readAllBytes(certificateFile));
      sha.update((byte) 0);
      sha.update(Files.readAllBytes(privateKeyFile));
      return sha.digest();
    } catch (IOException | GeneralSecurityException | RuntimeException e) {
      return null;
    }
  }

  /** The served certificate (the chain's first), for log lines. */
  public X509Certificate certificate() {
    return current.leaf();
  }

  /** A new first handler for one connection: TLS, or a plain-text refusal naming wss://. */
  ChannelHandler newHandler() {
    return new TlsOnlyHandler(current.context());
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
