package dev.gatehouse.controlplane.pg;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.UUID;

/**
 * The writes the operator makes when it syncs custom resources into the control plane: upsert a
 * site (with its gateway token's hash), a resource with its site connections, a policy, and
 * soft-delete each. Every method is one transaction and idempotent; an upsert that changes nothing
 * writes nothing (so it produces no CDC traffic), and an upsert of a soft-deleted row brings it
 * back. Blocks on the database.
 */
public final class OperatorSyncRepository {

  /** A resource row as the operator resolves it from a {@code Resource} custom resource. */
  public record ResourceSpec(
      UUID id,
      UUID accountId,
      String name,
      String type,
      String address,
      String ipStack,
      String filtersJson) {}

  /** A policy row as the operator derives it from a {@code Policy} custom resource. */
  public record PolicySpec(
      UUID id,
      UUID accountId,
      UUID groupId,
      UUID resourceId,
      String conditionsJson,
      Instant expiresAt,
      boolean disabled) {}

  private final DatabaseConfig db;

  public OperatorSyncRepository(DatabaseConfig db) {
    this.db = db;
  }

  /** SHA-256 of a token secret: the only form in which a token is stored. */
  public static byte[] hashTokenSecret(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Creates the account if it does not exist (the operator's own account). */
  public void ensureAccount(UUID id, String name, String slug) throws SQLException {
    inTransaction(
        c ->
            update(
                c,
                "INSERT INTO accounts (id, name, slug) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING",
                id,
                name,
                slug));
  }

  /**
   * Upserts a site and its gateway token: the token row {@code tokenId} of type {@code site} holds
   * only {@code tokenSecretHash} (see {@link #hashTokenSecret}).
   */
  public void upsertSite(UUID id, UUID accountId, String name, UUID tokenId, byte[] tokenSecretHash)
      throws SQLException {
    if (tokenSecretHash.length != 32) {
      throw new IllegalArgumentException("token hash must be 32 bytes (SHA-256)");
    }
    inTransaction(
        c -> {
          update(
              c,
              "INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)"
                  + " ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, deleted_at = NULL"
                  + " WHERE (sites.name, sites.deleted_at) IS DISTINCT FROM (EXCLUDED.name, NULL)",
              id,
              accountId,
              name);
          update(
              c,
              "INSERT INTO tokens (id, account_id, type, site_id, secret_hash) VALUES (?, ?, 'site', ?, ?)"
                  + " ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id,"
                  + " site_id = EXCLUDED.site_id, secret_hash = EXCLUDED.secret_hash, deleted_at = NULL"
                  + " WHERE (tokens.account_id, tokens.site_id, tokens.secret_hash, tokens.deleted_at)"
                  + " IS DISTINCT FROM (EXCLUDED.account_id, EXCLUDED.site_id, EXCLUDED.secret_hash, NULL)",
              tokenId,
              accountId,
              id,
              tokenSecretHash);
        });
  }

  /** Soft-deletes a site, its tokens and gateways, and removes its resource connections. */
  public void softDeleteSite(UUID id) throws SQLException {
    inTransaction(
        c -> {
          update(c, "DELETE FROM resource_connections WHERE site_id = ?", id);
          update(
              c,
              "UPDATE gateways SET deleted_at = now() WHERE site_id = ? AND deleted_at IS NULL",
              id);
          update(
              c,
              "UPDATE tokens SET deleted_at = now() WHERE site_id = ? AND deleted_at IS NULL",
              id);
          update(c, "UPDATE sites SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL", id);
        });
  }

  /** Upserts a resource and makes its site connections exactly {@code siteIds}. */
  public void upsertResource(ResourceSpec r, Collection<UUID> siteIds) throws SQLException {
    inTransaction(
        c -> {
          update(
              c,
              "INSERT INTO resources (id, account_id, name, type, address, ip_stack, filters)"
                  + " VALUES (?, ?, ?, ?, ?, ?, ?::jsonb)"
                  + " ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id, name = EXCLUDED.name,"
                  + " type = EXCLUDED.type, address = EXCLUDED.address, ip_stack = EXCLUDED.ip_stack,"
                  + " filters = EXCLUDED.filters, deleted_at = NULL"
                  + " WHERE (resources.account_id, resources.name, resources.type, resources.address,"
                  + " resources.ip_stack, resources.filters, resources.deleted_at) IS DISTINCT FROM"
                  + " (EXCLUDED.account_id, EXCLUDED.name, EXCLUDED.type, EXCLUDED.address, EXCLUDED.ip_stack,"
                  + " EXCLUDED.filters, NULL)",
              r.id(),
              r.accountId(),
              r.name(),
              r.type(),
              r.address(),
              r.ipStack(),
              r.filtersJson() == null ? "[]" : r.filtersJson());
          UUID[] sites = siteIds.toArray(UUID[]::new);
          try (PreparedStatement ps =
              c.prepareStatement(
                  "DELETE FROM resource_connections WHERE resource_id = ? AND NOT (site_id = ANY (?))")) {
            ps.setObject(1, r.id());
            ps.setArray(2, c.createArrayOf("uuid", sites));
            ps.executeUpdate();
          }
          for (UUID site : sites) {
            update(
                c,
                "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)"
                    + " ON CONFLICT DO NOTHING",
                r.id(),
                site,
                r.accountId());
          }
        });
  }

  /** Soft-deletes a resource (its flows are dropped by the schema's trigger). */
  public void softDeleteResource(UUID id) throws SQLException {
    inTransaction(
        c ->
            update(
                c,
                "UPDATE resources SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL",
                id));
  }

  /** Upserts a policy; {@code disabled} sets or clears {@code disabled_at}. */
  public void upsertPolicy(PolicySpec p) throws SQLException {
    inTransaction(
        c ->
            update(
                c,
                "INSERT INTO policies (id, account_id, group_id, resource_id, conditions, expires_at, disabled_at)"
                    + " VALUES (?, ?, ?, ?, ?::jsonb, ?, CASE WHEN ? THEN now() END)"
                    + " ON CONFLICT (id) DO UPDATE SET account_id = EXCLUDED.account_id,"
                    + " group_id = EXCLUDED.group_id, resource_id = EXCLUDED.resource_id,"
                    + " conditions = EXCLUDED.conditions, expires_at = EXCLUDED.expires_at, deleted_at = NULL,"
                    + " disabled_at = CASE WHEN EXCLUDED.disabled_at IS NULL THEN NULL"
                    + " ELSE coalesce(policies.disabled_at, EXCLUDED.disabled_at) END"
                    + " WHERE (policies.account_id, policies.group_id, policies.resource_id, policies.conditions,"
                    + " policies.expires_at, policies.deleted_at, policies.disabled_at IS NULL) IS DISTINCT FROM"
                    + " (EXCLUDED.account_id, EXCLUDED.group_id, EXCLUDED.resource_id, EXCLUDED.conditions,"
                    + " EXCLUDED.expires_at, NULL, EXCLUDED.disabled_at IS NULL)",
                p.id(),
                p.accountId(),
                p.groupId(),
                p.resourceId(),
                p.conditionsJson() == null ? "[]" : p.conditionsJson(),
                p.expiresAt() == null
                    ? null
                    : OffsetDateTime.ofInstant(p.expiresAt(), ZoneOffset.UTC),
                p.disabled()));
  }

  /** Soft-deletes a policy (its flows are dropped by the schema's trigger). */
  public void softDeletePolicy(UUID id) throws SQLException {
    inTransaction(
        c ->
            update(
                c,
                "UPDATE policies SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL",
                id));
  }

  @FunctionalInterface
  private interface Work {
    void run(Connection c) throws SQLException;
  }

  private void inTransaction(Work work) throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        work.run(c);
        c.commit();
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    }
  }

  private static int update(Connection c, String sql, Object... params) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      return ps.executeUpdate();
    }
  }
}
