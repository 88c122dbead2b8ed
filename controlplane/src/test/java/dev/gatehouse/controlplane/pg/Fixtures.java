package dev.gatehouse.controlplane.pg;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;

/** Writes control-plane rows for ITs, one autocommitted statement each. */
final class Fixtures implements AutoCloseable {

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

  UUID client(UUID actor, String version) throws SQLException {
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

  UUID site() throws SQLException {
    UUID id = UUID.randomUUID();
    exec("INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)", id, account, "s-" + id);
    return id;
  }

  UUID gateway(UUID site) throws SQLException {
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

  UUID resource(String address) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO resources (id, account_id, name, type, address) VALUES (?, ?, 'r', 'ip', ?)",
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

  UUID policy(UUID group, UUID resource) throws SQLException {
    UUID id = UUID.randomUUID();
    exec(
        "INSERT INTO policies (id, account_id, group_id, resource_id) VALUES (?, ?, ?, ?)",
        id,
        account,
        group,
        resource);
    return id;
  }

  UUID flow(UUID client, UUID gateway, UUID resource, UUID policy, Instant expiresAt)
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

  @Override
  public void close() throws SQLException {
    c.close();
  }
}
