package dev.gatehouse.apinode.it;

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

/** Control-plane rows for ITs (one account per instance), one autocommitted statement each. */
final class Fixtures implements AutoCloseable {

  private static final SecureRandom RANDOM = new SecureRandom();

  final UUID account = UUID.randomUUID();
  private final Connection c;

  Fixtures(DatabaseConfig db) throws SQLException {
    c = db.connect();
    exec("INSERT INTO accounts (id, name, slug) VALUES (?, 'it', ?)", account, "it-" + account);
  }

  int exec(String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        Object p = params[i];
        ps.setObject(
            i + 1, p instanceof Instant t ? OffsetDateTime.ofInstant(t, ZoneOffset.UTC) : p);
      }
      return ps.executeUpdate();
    }
  }

  UUID actor() throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, 'a', 'account_user')",
        id,
        account);
    return id;
  }

  UUID group() throws SQLException {
    UUID id = UUID.randomUUID();
    exec("INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'g')", id, account);
    return id;
  }

  UUID membership(UUID actor, UUID group) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)",
        id,
        account,
        actor,
        group);
    return id;
  }

  UUID site() throws SQLException {
    UUID id = UUID.randomUUID();
    exec("INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)", id, account, "s-" + id);
    return id;
  }

  UUID resource(String address) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO resources (id, account_id, name, type, address, filters) VALUES (?, ?, 'r', 'ip', ?,"
            + " '[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]')",
        id,
        account,
        address);
    return id;
  }

  void connect(UUID resource, UUID site) throws SQLException {
    exec(
        "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)",
        resource,
        site,
        account);
  }

  UUID policy(UUID group, UUID resource, String conditionsJson) throws SQLException {
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

  void deletePolicy(UUID policy) throws SQLException {
    exec("UPDATE policies SET deleted_at = now() WHERE id = ?", policy);
  }

  /** A token as the operator or the admin API makes it: {@code prefix + base64url(32 bytes)}. */
  record Token(UUID id, String secret) {}

  Token siteToken(UUID site) throws SQLException {
    Token t = token("ghgw_");
    exec(
        "INSERT INTO tokens (id, account_id, type, site_id, secret_hash) VALUES (?, ?, 'site', ?, ?)",
        t.id(),
        account,
        site,
        OperatorSyncRepository.hashTokenSecret(t.secret()));
    return t;
  }

  Token clientToken(UUID actor, Instant expiresAt) throws SQLException {
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

  void deleteToken(UUID token) throws SQLException {
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
