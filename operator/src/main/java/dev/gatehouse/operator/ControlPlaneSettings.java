package dev.gatehouse.operator;

import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.operator.sync.ControlPlaneIds;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * The control-plane side of the operator's configuration, read from the environment: the database,
 * the account, and the API node every replica serves. Absent GATEHOUSE_DATABASE_URL means no
 * control plane at all; anything present but invalid is an error naming the variable.
 */
record ControlPlaneSettings(
    DatabaseConfig database, String account, ApiNodeConfig apiNode, int apiPort) {
  static final int DEFAULT_API_PORT = 8443;

  static Optional<ControlPlaneSettings> fromEnvironment(Map<String, String> env, String nodeId) {
    String url = env.get("GATEHOUSE_DATABASE_URL");
    if (url == null || url.isBlank()) {
      return Optional.empty();
    }
    DatabaseConfig db =
        new DatabaseConfig(
            url,
            env.getOrDefault("GATEHOUSE_DATABASE_USER", "gatehouse"),
            env.getOrDefault("GATEHOUSE_DATABASE_PASSWORD", ""));
    String account = env.getOrDefault("GATEHOUSE_ACCOUNT", "default");
    String secret = env.get("GATEHOUSE_FLOW_KEY_SECRET");
    if (secret == null || secret.isBlank()) {
      throw new IllegalArgumentException(
          "GATEHOUSE_FLOW_KEY_SECRET is required with GATEHOUSE_DATABASE_URL: base64 of at least 32"
              + " random bytes, the same on every replica (e.g. openssl rand -base64 32)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(secret.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("GATEHOUSE_FLOW_KEY_SECRET is not base64", e);
    }
    if (key.length < 32) {
      throw new IllegalArgumentException(
          "GATEHOUSE_FLOW_KEY_SECRET must decode to at least 32 bytes, got " + key.length);
    }
    String admin = env.get("GATEHOUSE_ADMIN_TOKEN");
    int port;
    try {
      port =
          Integer.parseInt(
              env.getOrDefault("GATEHOUSE_API_PORT", Integer.toString(DEFAULT_API_PORT)).trim());
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("GATEHOUSE_API_PORT must be a port number", e);
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "GATEHOUSE_API_PORT must be between 1 and 65535, got " + port);
    }
    ApiNodeConfig node =
        ApiNodeConfig.defaults(
                nodeId,
                ControlPlaneIds.account(account),
                key,
                admin == null || admin.isBlank() ? null : admin)
            .withBindHost(env.getOrDefault("GATEHOUSE_API_BIND", "0.0.0.0"));
    return Optional.of(new ControlPlaneSettings(db, account, node, port));
  }
}
