package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;

/**
 * Gateway tokens: 256 random bits, URL-safe, with a prefix that says what they are. The token lives
 * in plain form only in its Secret; the control plane keeps a hash.
 */
public final class GatewayTokens {
  public static final String PREFIX = "ghgw_";
  private static final int TOKEN_BYTES = 32;

  private GatewayTokens() {}

  /** A new token drawn from the given source of randomness. */
  public static String newToken(SecureRandom random) {
    byte[] bytes = new byte[TOKEN_BYTES];
    random.nextBytes(bytes);
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** The token in a gateway's Secret, if it holds one. */
  public static java.util.Optional<String> tokenOf(Secret secret) {
    return java.util.Optional.ofNullable(secret.getData())
        .map(data -> data.get(GatewayNames.TOKEN_KEY))
        .map(encoded -> new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
  }

  /** The Secret holding a gateway's token under the key {@code token}. */
  public static Secret secret(Gateway gateway, String token) {
    return new SecretBuilder()
        .withMetadata(GatewayNames.ownedMetadata(gateway, GatewayNames.tokenSecretName(gateway)))
        .withType("Opaque")
        .withData(
            Map.of(
                GatewayNames.TOKEN_KEY,
                Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8))))
        .build();
  }
}
