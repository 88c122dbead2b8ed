package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cdc.Row;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HexFormat;
import java.util.UUID;

/** Reads {@link Row} records from result sets whose columns are named as in the schema. */
final class Rows {

  private Rows() {}

  static final String CLIENT_COLUMNS =
      "id, account_id, actor_id, name, public_key, last_seen_version,"
          + " host(last_seen_remote_ip) AS last_seen_remote_ip, verified_at, deleted_at";
  static final String POLICY_COLUMNS =
      "id, account_id, group_id, resource_id, conditions::text AS conditions, expires_at,"
          + " disabled_at, deleted_at";
  static final String RESOURCE_COLUMNS =
      "id, account_id, name, type, address, ip_stack, filters::text AS filters, deleted_at";
  static final String FLOW_COLUMNS =
      "id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at";

  /** The live (not soft-deleted) client row {@code id}, if there is one. */
  static java.util.Optional<Row.Client> liveClient(java.sql.Connection c, java.util.UUID id)
      throws SQLException {
    try (java.sql.PreparedStatement ps =
        c.prepareStatement(
            "SELECT " + CLIENT_COLUMNS + " FROM clients WHERE id = ? AND deleted_at IS NULL")) {
      ps.setObject(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? java.util.Optional.of(client(rs)) : java.util.Optional.empty();
      }
    }
  }

  static Row.Client client(ResultSet rs) throws SQLException {
    return new Row.Client(
        uuid(rs, "id"),
        uuid(rs, "account_id"),
        uuid(rs, "actor_id"),
        rs.getString("name"),
        rs.getString("public_key"),
        rs.getString("last_seen_version"),
        rs.getString("last_seen_remote_ip"),
        time(rs, "verified_at"),
        time(rs, "deleted_at"));
  }

  static Row.Membership membership(ResultSet rs) throws SQLException {
    return new Row.Membership(
        uuid(rs, "id"), uuid(rs, "account_id"), uuid(rs, "actor_id"), uuid(rs, "group_id"));
  }

  static Row.Policy policy(ResultSet rs) throws SQLException {
    return new Row.Policy(
        uuid(rs, "id"),
        uuid(rs, "account_id"),
        uuid(rs, "group_id"),
        uuid(rs, "resource_id"),
        rs.getString("conditions"),
        time(rs, "expires_at"),
        time(rs, "disabled_at"),
        time(rs, "deleted_at"));
  }

  static Row.Resource resource(ResultSet rs) throws SQLException {
    return new Row.Resource(
        uuid(rs, "id"),
        uuid(rs, "account_id"),
        rs.getString("name"),
        rs.getString("type"),
        rs.getString("address"),
        rs.getString("ip_stack"),
        rs.getString("filters"),
        time(rs, "deleted_at"));
  }

  static Row.ResourceConnection connection(ResultSet rs) throws SQLException {
    return new Row.ResourceConnection(
        uuid(rs, "resource_id"), uuid(rs, "site_id"), uuid(rs, "account_id"));
  }

  static Row.Flow flow(ResultSet rs) throws SQLException {
    return new Row.Flow(
        uuid(rs, "id"),
        uuid(rs, "account_id"),
        uuid(rs, "client_id"),
        uuid(rs, "gateway_id"),
        uuid(rs, "resource_id"),
        uuid(rs, "policy_id"),
        time(rs, "expires_at"));
  }

  static UUID uuid(ResultSet rs, String column) throws SQLException {
    return rs.getObject(column, UUID.class);
  }

  static Instant time(ResultSet rs, String column) throws SQLException {
    OffsetDateTime t = rs.getObject(column, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  static String hex(byte[] bytes) {
    return HexFormat.of().formatHex(bytes);
  }
}
