package dev.gatehouse.operator.inject;

import dev.gatehouse.apinode.net.PemFiles;
import java.io.IOException;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A server key manager that serves the PEM certificate chain and key of two files and picks up
 * renewed files without a restart: at most every {@code checkEvery}, a handshake looks at the
 * files' modification times (a Secret volume swaps both at once) and reloads them. Files that
 * cannot be read keep the last good pair in service, with a warning.
 */
final class ReloadingKeyManager extends X509ExtendedKeyManager {
  private static final Logger LOG = LoggerFactory.getLogger(ReloadingKeyManager.class);
  private static final String ALIAS = "webhook";

  private record Pair(
      X509Certificate[] chain, PrivateKey key, FileTime certTime, FileTime keyTime) {}

  private final Path certificate;
  private final Path privateKey;
  private final long checkEveryNanos;
  private volatile Pair current;
  private volatile long checkedAt;

  /** Loads the files now; throws if they cannot be used. */
  ReloadingKeyManager(Path certificate, Path privateKey, Duration checkEvery) throws IOException {
    this.certificate = certificate;
    this.privateKey = privateKey;
    this.checkEveryNanos = checkEvery.toNanos();
    this.current = load();
    this.checkedAt = System.nanoTime();
  }

  private Pair load() throws IOException {
    FileTime certTime = Files.getLastModifiedTime(certificate);
    FileTime keyTime = Files.getLastModifiedTime(privateKey);
    X509Certificate[] chain = PemFiles.certificates(certificate).toArray(X509Certificate[]::new);
    return new Pair(chain, PemFiles.privateKey(privateKey), certTime, keyTime);
  }

  private Pair pair() {
    long now = System.nanoTime();
    if (now - checkedAt < checkEveryNanos) {
      return current;
    }
    checkedAt = now;
    Pair old = current;
    try {
      if (!Files.getLastModifiedTime(certificate).equals(old.certTime())
          || !Files.getLastModifiedTime(privateKey).equals(old.keyTime())) {
        current = load();
        LOG.info(
            "webhook TLS certificate reloaded: {}, valid until {}",
            current.chain()[0].getSubjectX500Principal().getName(),
            current.chain()[0].getNotAfter().toInstant());
      }
    } catch (IOException | RuntimeException e) {
      LOG.warn(
          "webhook TLS files changed but cannot be used, keeping the old ones: {}", e.toString());
    }
    return current;
  }

  /** The leaf certificate served now. */
  X509Certificate leaf() {
    return pair().chain()[0];
  }

  private String aliasFor(String keyType) {
    return keyType != null && keyType.equals(pair().key().getAlgorithm()) ? ALIAS : null;
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    return aliasFor(keyType);
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return aliasFor(keyType);
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return aliasFor(keyType) == null ? null : new String[] {ALIAS};
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    return ALIAS.equals(alias) ? pair().chain().clone() : null;
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    return ALIAS.equals(alias) ? pair().key() : null;
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
