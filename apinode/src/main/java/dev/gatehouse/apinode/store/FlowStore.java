package dev.gatehouse.apinode.store;

import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** Records flows and lists them (for admins). */
public final class FlowStore {

  /** A flow row as an admin sees it. */
  public record FlowRecord(
      UUID id,
      UUID clientId,
      UUID gatewayId,
      UUID resourceId,
      UUID policyId,
      Instant expiresAt,
      Instant insertedAt) {}

  private final ConnectionPool pool;

  public FlowStore(ConnectionPool pool) {
    this.pool = pool;
  }

  public void insert(
      UUID flowId,
      UUID accountId,
      UUID clientId,
      UUID gatewayId,
      UUID resourceId,
      UUID policyId,
      UUID tokenId,
      Instant expiresAt)
      throws SQLException {
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id,"
                    + " token_id, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                flowId,
                accountId,
                clientId,
                gatewayId,
                resourceId,
                policyId,
                tokenId,
                expiresAt));
  }

  /** The account's live flows, newest first (at most {@code limit}). */
  public List<FlowRecord> live(UUID accountId, int limit) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                c,
                "SELECT id, client_id, gateway_id, resource_id, policy_id, expires_at, inserted_at"
                    + " FROM flows WHERE account_id = ? AND expires_at > now()"
                    + " ORDER BY inserted_at DESC LIMIT ?",
                rs ->
                    new FlowRecord(
                        Sql.uuid(rs, "id"),
                        Sql.uuid(rs, "client_id"),
                        Sql.uuid(rs, "gateway_id"),
                        Sql.uuid(rs, "resource_id"),
                        Sql.uuid(rs, "policy_id"),
                        Sql.time(rs, "expires_at"),
                        Sql.time(rs, "inserted_at")),
                accountId,
                limit));
  }
}
