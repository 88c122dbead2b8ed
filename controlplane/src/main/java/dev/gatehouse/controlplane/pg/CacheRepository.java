package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cdc.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Loads what a newly connected client's or gateway's cache starts from (hydration). Each load reads
 * in one REPEATABLE READ, read-only transaction, so it sees one consistent snapshot. Blocks on the
 * database; call it from the owner's I/O side, never from inside a cache.
 */
public final class CacheRepository {

  private final DatabaseConfig db;

  public CacheRepository(DatabaseConfig db) {
    this.db = db;
  }

  /**
   * The snapshot a {@link dev.gatehouse.controlplane.cache.ClientCache} is built from, or empty if
   * the client does not exist or is deleted.
   */
  public Optional<ClientSnapshot> loadClient(UUID clientId, Instant tokenExpiresAt)
      throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      c.setReadOnly(true);
      try {
        Optional<Row.Client> live = Rows.liveClient(c, clientId);
        if (live.isEmpty()) {
          return Optional.empty();
        }
        Row.Client client = live.get();
        UUID actor = client.actorId();
        List<Row.Membership> memberships =
            query(
                c,
                "SELECT m.id, m.account_id, m.actor_id, m.group_id FROM memberships m"
                    + " JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL WHERE m.actor_id = ?",
                actor,
                Rows::membership);
        String policiesOfActor =
            "FROM policies p JOIN memberships m ON m.group_id = p.group_id"
                + " JOIN groups g ON g.id = m.group_id AND g.deleted_at IS NULL"
                + " WHERE m.actor_id = ? AND p.deleted_at IS NULL AND p.disabled_at IS NULL";
        List<Row.Policy> policies =
            query(
                c,
                "SELECT " + prefixed("p", Rows.POLICY_COLUMNS) + " " + policiesOfActor,
                actor,
                Rows::policy);
        List<Row.Resource> resources =
            query(
                c,
                "SELECT "
                    + Rows.RESOURCE_COLUMNS
                    + " FROM resources WHERE id IN (SELECT p.resource_id "
                    + policiesOfActor
                    + ")",
                actor,
                Rows::resource);
        List<Row.ResourceConnection> connections =
            query(
                c,
                "SELECT resource_id, site_id, account_id FROM resource_connections"
                    + " WHERE resource_id IN (SELECT p.resource_id "
                    + policiesOfActor
                    + ")",
                actor,
                Rows::connection);
        return Optional.of(
            new ClientSnapshot(
                client, tokenExpiresAt, memberships, policies, resources, connections));
      } finally {
        c.rollback();
      }
    }
  }

  /** A resource row and the sites that serve it, as a {@code ResourceRequired} delta asks. */
  public record ResourceWithSites(Row.Resource resource, List<UUID> siteIds) {}

  /** Loads one resource (soft-deleted included) and its site connections. */
  public Optional<ResourceWithSites> loadResource(UUID resourceId) throws SQLException {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      try {
        List<Row.Resource> rows =
            query(
                c,
                "SELECT " + Rows.RESOURCE_COLUMNS + " FROM resources WHERE id = ?",
                resourceId,
                Rows::resource);
        if (rows.isEmpty()) {
          return Optional.empty();
        }
        List<UUID> sites =
            query(
                c,
                "SELECT site_id FROM resource_connections WHERE resource_id = ? ORDER BY site_id",
                resourceId,
                rs -> Rows.uuid(rs, "site_id"));
        return Optional.of(new ResourceWithSites(rows.getFirst(), sites));
      } finally {
        c.rollback();
      }
    }
  }

  /** The gateway's flows that have not expired at {@code now}. */
  public List<Row.Flow> loadGatewayFlows(UUID gatewayId, Instant now) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT "
                    + Rows.FLOW_COLUMNS
                    + " FROM flows WHERE gateway_id = ? AND expires_at > ?")) {
      ps.setObject(1, gatewayId);
      ps.setObject(2, java.time.OffsetDateTime.ofInstant(now, java.time.ZoneOffset.UTC));
      List<Row.Flow> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(Rows.flow(rs));
        }
      }
      return out;
    }
  }

  private static String prefixed(String alias, String columns) {
    StringBuilder sb = new StringBuilder();
    for (String col : columns.split(",\\s*")) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(alias).append('.').append(col.strip());
    }
    return sb.toString();
  }

  @FunctionalInterface
  private interface RowReader<T> {
    T read(ResultSet rs) throws SQLException;
  }

  private static <T> List<T> query(Connection c, String sql, UUID param, RowReader<T> reader)
      throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, param);
      List<T> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(reader.read(rs));
        }
      }
      return out;
    }
  }
}
