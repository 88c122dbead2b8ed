package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Writes a gateway's token Secret without ever reading a Secret: the operator's RBAC grants {@code
 * create} on Secrets and nothing else, so it cannot read a Secret it did not write, nor one it did.
 * What it knows of a token is its SHA-256, kept in the Gateway's status.
 *
 * <p>Every call tries to create the Secret with a new token. Created: the Secret was missing (a new
 * Gateway, or someone deleted the Secret to rotate the token), and the new token's hash is
 * returned. {@code 409 AlreadyExists}: the Secret is there and keeps its token. Blocks on one API
 * call.
 */
public final class TokenSecretWriter {
  private final SecureRandom random;

  public TokenSecretWriter(SecureRandom random) {
    this.random = random;
  }

  /** What became of the Secret. */
  public sealed interface Outcome {
    /** A new Secret with a new token, whose SHA-256 (hex) is given. */
    record Created(String tokenSha256) implements Outcome {}

    /** The Secret already existed; its token is unchanged. */
    record Existing() implements Outcome {}
  }

  public Outcome ensure(KubernetesClient client, Gateway gateway) {
    String token = GatewayTokens.newToken(random);
    try {
      client.resource(GatewayTokens.secret(gateway, token)).create();
      return new Outcome.Created(sha256Hex(token));
    } catch (KubernetesClientException e) {
      if (e.getCode() == 409) {
        return new Outcome.Existing();
      }
      throw e;
    }
  }

  /** The token hash the control plane stores: SHA-256 of the token's UTF-8 bytes, in hex. */
  public static String sha256Hex(String token) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The hash a Gateway's status records, if any. */
  public static Optional<String> recordedHash(Gateway gateway) {
    return Optional.ofNullable(gateway.getStatus())
        .map(s -> s.getTokenSha256())
        .filter(h -> !h.isBlank());
  }
}
