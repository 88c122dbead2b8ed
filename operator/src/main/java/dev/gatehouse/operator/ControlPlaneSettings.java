package dev.gatehouse.operator;

import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.core.RelayDirectory;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.operator.sync.ControlPlaneIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The control-plane side of the operator's configuration, read from the environment: the database,
 * the account, and the API node every replica serves. Absent GATEHOUSE_DATABASE_URL means no
 * control plane at all; anything present but invalid is an error naming the variable. With
 * GATEHOUSE_API_TLS_CERT and GATEHOUSE_API_TLS_KEY (PEM files) the API node serves wss:// and
 * https://; the files themselves are read, and reported on, when the node starts.
 */
record ControlPlaneSettings(
    DatabaseConfig database,
    String account,
    ApiNodeConfig apiNode,
    int apiPort,
    RelayDirectory relays) {
  static final String RELAYS = "GATEHOUSE_RELAYS";
  static final String RELAY_SECRET = "GATEHOUSE_RELAY_SECRET";
  static final int DEFAULT_API_PORT = 8443;
  static final String TLS_CERT = "GATEHOUSE_API_TLS_CERT";
  static final String TLS_KEY = "GATEHOUSE_API_TLS_KEY";

  /** Whether {@code env} asks for TLS on the API node (both files checked by fromEnvironment). */
  static boolean tls(Map<String, String> env) {
    return path(env, TLS_CERT) != null;
  }

  private static Path path(Map<String, String> env, String name) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return null;
    }
    try {
      return Path.of(value.strip());
    } catch (InvalidPathException e) {
      throw new IllegalArgumentException(name + " is not a file path, got '" + value + "'", e);
    }
  }

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
    if ((path(env, TLS_CERT) == null) != (path(env, TLS_KEY) == null)) {
      throw new IllegalArgumentException(
          TLS_CERT
              + " and "
              + TLS_KEY
              + " go together (the API node's PEM certificate chain and private key, e.g. tls.crt"
              + " and tls.key of a kubernetes.io/tls Secret); only "
              + (path(env, TLS_CERT) == null ? TLS_KEY : TLS_CERT)
              + " is set");
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
            .withBindHost(env.getOrDefault("GATEHOUSE_API_BIND", "0.0.0.0"))
            .withTls(path(env, TLS_CERT), path(env, TLS_KEY));
    return Optional.of(new ControlPlaneSettings(db, account, node, port, relays(env)));
  }

  /**
   * GATEHOUSE_RELAYS: the relays' {@code host:port} UDP addresses, comma-separated, as clients and
   * gateways reach them; GATEHOUSE_RELAY_SECRET: the secret they share (their {@code
   * --secret-file}). Neither: no relays.
   */
  static RelayDirectory relays(Map<String, String> env) {
    String list = env.getOrDefault(RELAYS, "").strip();
    String secret = env.getOrDefault(RELAY_SECRET, "").strip();
    if (list.isEmpty()) {
      return RelayDirectory.NONE;
    }
    if (secret.isEmpty()) {
      throw new IllegalArgumentException(
          RELAYS + " needs " + RELAY_SECRET + ": the secret the relays were started with");
    }
    List<String> addrs = List.of(list.split("\\s*,\\s*"));
    for (String addr : addrs) {
      int colon = addr.lastIndexOf(':');
      boolean ok = colon > 0 && colon < addr.length() - 1;
      if (ok) {
        try {
          int port = Integer.parseInt(addr.substring(colon + 1));
          ok = port >= 1 && port <= 65535;
        } catch (NumberFormatException e) {
          ok = false;
        }
      }
      if (!ok) {
        throw new IllegalArgumentException(
            RELAYS
                + ": '"
                + addr
                + "' is not host:port (e.g. 203.0.113.7:3478 or [2001:db8::7]:3478)");
      }
    }
    return new RelayDirectory(addrs, secret.getBytes(StandardCharsets.UTF_8));
  }
}
