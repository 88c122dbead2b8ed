package dev.gatehouse.e2e.local;

import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.UUID;

/**
 * Writes control-plane rows for the in-process API node ITs: plain statements, tokens, and the rows
 * that let one user reach one resource.
 */
final class ControlPlaneRows {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Connection sql;
  private final UUID account;

  ControlPlaneRows(Connection sql, UUID account) {
    this.sql = sql;
    this.account = account;
  }

  void exec(String statement, Object... params) throws SQLException {
    try (PreparedStatement ps = sql.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  /** What {@link #allowOneResource} wrote: ids and the secrets of the two tokens. */
  record Access(UUID site, UUID resource, UUID policy, String siteToken, String clientToken) {}

  /**
   * The account named {@code accountName} with one user in one group, allowed by a policy without
   * conditions to one resource (TCP 443 only) served by one site; and a site token and a client
   * token for the user.
   */
  Access allowOneResource(String accountName, String resourceName, String type, String address)
      throws SQLException {
    UUID actor = UUID.randomUUID();
    UUID group = UUID.randomUUID();
    UUID site = UUID.randomUUID();
    UUID resource = UUID.randomUUID();
    UUID policy = UUID.randomUUID();
    exec(
        "INSERT INTO accounts (id, name, slug) VALUES (?, ?, ?)",
        account,
        accountName,
        accountName + "-" + account);
    exec(
        "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, 'a', 'account_user')",
        actor,
        account);
    exec("INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'g')", group, account);
    exec(
        "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)",
        UUID.randomUUID(),
        account,
        actor,
        group);
    exec("INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)", site, account, "s-" + site);
    exec(
        "INSERT INTO resources (id, account_id, name, type, address, filters) VALUES (?, ?, ?, ?, ?,"
            + " '[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]')",
        resource,
        account,
        resourceName,
        type,
        address);
    exec(
        "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)",
        resource,
        site,
        account);
    exec(
        "INSERT INTO policies (id, account_id, group_id, resource_id, conditions) VALUES (?, ?, ?,"
            + " ?, '[]'::jsonb)",
        policy,
        account,
        group,
        resource);
    return new Access(
        site,
        resource,
        policy,
        token("ghgw_", "site", "site_id", site),
        token("ghc_", "client", "actor_id", actor));
  }

  /** A fresh token of {@code type} for {@code owner} (stored hashed); returns its secret. */
  String token(String prefix, String type, String column, UUID owner) throws SQLException {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    exec(
        "INSERT INTO tokens (id, account_id, type, "
            + column
            + ", secret_hash, expires_at) VALUES (?, ?, ?, ?, ?, now() + interval '1 hour')",
        UUID.randomUUID(),
        account,
        type,
        owner,
        OperatorSyncRepository.hashTokenSecret(secret));
    return secret;
  }
}
