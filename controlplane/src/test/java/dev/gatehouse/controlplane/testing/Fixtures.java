package dev.gatehouse.controlplane.testing;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.UUID;

/**
 * Writes control-plane rows for ITs (one account per instance), one autocommitted statement each.
 * Shared with the API node's ITs through the control plane's test-jar.
 */
public final class Fixtures implements AutoCloseable {

  /** Resource filters that let only TCP port 443 through. */
  public static final String TCP_443 = "[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]";

  private static final SecureRandom RANDOM = new SecureRandom();

  public final UUID account = UUID.randomUUID();
  private final Connection c;

  public Fixtures(DatabaseConfig db) throws SQLException {
    c = db.connect();
    exec("INSERT INTO accounts (id, name, slug) VALUES (?, 'it', ?)", account, "it-" + account);
  }

  /** Runs one statement; {@link Instant} parameters are bound as UTC timestamps. */
  public int exec(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(
            i + 1, p instanceof Instant t ? OffsetDateTime.ofInstant(t, ZoneOffset.UTC) : p);
      }
      return ps.executeUpdate();
    }
  }

  public UUID actor() throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, 'a', 'account_user')",
        id,
        account);
    return id;
  }

  public UUID group() throws SQLException {
    UUID id = UUID.randomUUID();
    exec("INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'g')", id, account);
    return id;
  }

  public UUID membership(UUID actor, UUID group) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)",
        id,
        account,
        actor,
        group);
    return id;
  }

  public UUID client(UUID actor, String version) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO clients (id, account_id, actor_id, external_id, name, public_key, last_seen_version,"
            + " last_seen_remote_ip, verified_at) VALUES (?, ?, ?, ?, 'c', 'pk', ?, '192.0.2.7', now())",
        id,
        account,
        actor,
        id.toString(),
        version);
    return id;
  }

  public UUID site() throws SQLException {
    UUID id = UUID.randomUUID();
    exec("INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)", id, account, "s-" + id);
    return id;
  }

  public UUID gateway(UUID site) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO gateways (id, account_id, site_id, external_id, name, public_key, last_seen_version)"
            + " VALUES (?, ?, ?, ?, 'gw', 'gpk', '1.4.0')",
        id,
        account,
        site,
        id.toString());
    return id;
  }

  /** An IP resource without filters (all traffic), as the column's default. */
  public UUID resource(String address) throws SQLException {
    return resource(address, "[]");
  }

  /** An IP resource with these filters (a JSON array, e.g. {@link #TCP_443}). */
  public UUID resource(String address, String filtersJson) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO resources (id, account_id, name, type, address, filters) VALUES (?, ?, 'r', 'ip', ?,"
            + " ?::jsonb)",
        id,
        account,
        address,
        filtersJson);
    return id;
  }

  public void connect(UUID resource, UUID site) throws SQLException {
    exec(
        "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)",
        resource,
        site,
        account);
  }

  /** A policy without conditions, as the column's default. */
  public UUID policy(UUID group, UUID resource) throws SQLException {
    return policy(group, resource, "[]");
  }

  /** A policy with these conditions (a JSON array). */
  public UUID policy(UUID group, UUID resource, String conditionsJson) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO policies (id, account_id, group_id, resource_id, conditions) VALUES (?, ?, ?, ?, ?::jsonb)",
        id,
        account,
        group,
        resource,
        conditionsJson);
    return id;
  }

  public void deletePolicy(UUID policy) throws SQLException {
    exec("UPDATE policies SET deleted_at = now() WHERE id = ?", policy);
  }

  public UUID flow(UUID client, UUID gateway, UUID resource, UUID policy, Instant expiresAt)
      throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        id,
        account,
        client,
        gateway,
        resource,
        policy,
        expiresAt);
    return id;
  }

  /** A token as the operator or the admin API makes it: {@code prefix + base64url(32 bytes)}. */
  public record Token(UUID id, String secret) {}

  public Token siteToken(UUID site) throws SQLException {
    Token t = token("ghgw_");
    exec(
        "INSERT INTO tokens (id, account_id, type, site_id, secret_hash) VALUES (?, ?, 'site', ?, ?)",
        t.id(),
        account,
        site,
        OperatorSyncRepository.hashTokenSecret(t.secret()));
    return t;
  }

  public Token clientToken(UUID actor, Instant expiresAt) throws SQLException {
    Token t = token("ghc_");
    exec(
        "INSERT INTO tokens (id, account_id, type, actor_id, secret_hash, expires_at) VALUES (?, ?, 'client', ?, ?, ?)",
        t.id(),
        account,
        actor,
        OperatorSyncRepository.hashTokenSecret(t.secret()),
        expiresAt);
    return t;
  }

  public void deleteToken(UUID token) throws SQLException {
    exec("UPDATE tokens SET deleted_at = now() WHERE id = ?", token);
  }

  private static Token token(String prefix) {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    return new Token(
        UUID.randomUUID(), prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw));
  }

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
