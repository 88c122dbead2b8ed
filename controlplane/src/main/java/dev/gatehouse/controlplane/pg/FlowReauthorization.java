package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.ClientContext;
import dev.gatehouse.controlplane.cache.Condition;
import dev.gatehouse.controlplane.cache.Conditions;
import dev.gatehouse.controlplane.cache.FlowReauthorizer.Replacement;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Row;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * The statements of reauthorizing a flow whose policy went (Firezone's {@code
 * Flows.reauthorize_flow}), on a connection the caller owns: looks for another live policy that
 * grants the client's actor the resource, through a group it is a member of, with the resource
 * served by the gateway's site and the policy's conditions holding for the client now; records a
 * new flow for the longest-lasting one, expiring no later than the deleted flow. Shared by the
 * control plane's {@link DatabaseFlowReauthorizer} and the API node's pooled reauthorizer, which
 * differ in where the connection comes from and in {@link PolicyLock}.
 */
public final class FlowReauthorization {

  /** How the candidate policies are read. */
  public enum PolicyLock {
    /** A plain read. */
    NONE,
    /**
     * {@code FOR SHARE}: a walsender may deliver a transaction's changes a moment before that
     * transaction is visible to other sessions, so a fast reader could still see the policy whose
     * deletion removed the flow; the row lock waits for the deleting transaction to finish and
     * re-checks the row.
     */
    SHARE
  }

  private static final String CANDIDATES =
      "SELECT p.id, p.conditions::text AS conditions, p.expires_at FROM policies p"
          + " JOIN memberships m ON m.group_id = p.group_id"
          + " JOIN groups g ON g.id = p.group_id AND g.deleted_at IS NULL"
          + " JOIN resources r ON r.id = p.resource_id AND r.deleted_at IS NULL"
          + " JOIN resource_connections rc ON rc.resource_id = r.id"
          + " JOIN gateways gw ON gw.site_id = rc.site_id AND gw.id = ? AND gw.deleted_at IS NULL"
          + " WHERE m.actor_id = ? AND p.resource_id = ? AND p.deleted_at IS NULL"
          + " AND p.disabled_at IS NULL";

  private FlowReauthorization() {}

  /**
   * Finds the replacement and records its flow; blocks on three short statements (and, with {@link
   * PolicyLock#SHARE}, on a transaction that is deleting a candidate policy). Commits nothing
   * itself.
   *
   * @return the new flow, or empty when the client is gone or no policy grants the access now
   * @throws SQLException as the connection throws it; the caller decides what a failure means
   */
  public static Optional<Replacement> reauthorize(
      Connection c,
      PolicyLock lock,
      UUID gatewayId,
      UUID clientId,
      UUID resourceId,
      Instant previousExpiry,
      Instant now)
      throws SQLException {
    Optional<Row.Client> live = Rows.liveClient(c, clientId);
    if (live.isEmpty()) {
      return Optional.empty();
    }
    Row.Client client = live.get();
    ClientContext context =
        new ClientContext(
            ClientContext.ipOrNull(client.lastSeenRemoteIp()),
            client.verifiedAt() != null,
            Version.parseOrUnknown(client.lastSeenVersion()),
            previousExpiry);
    UUID bestPolicy = null;
    Instant bestUntil = null;
    String candidates = lock == PolicyLock.SHARE ? CANDIDATES + " FOR SHARE OF p" : CANDIDATES;
    try (PreparedStatement ps = c.prepareStatement(candidates)) {
      ps.setObject(1, gatewayId);
      ps.setObject(2, client.actorId());
      ps.setObject(3, resourceId);
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          List<Condition> conditions =
              Conditions.parse(rs.getString("conditions"), Rows.time(rs, "expires_at"));
          Conditions.Evaluation e = Conditions.evaluate(conditions, context, now);
          Instant until =
              e.expiresAt() == null || e.expiresAt().isAfter(previousExpiry)
                  ? previousExpiry
                  : e.expiresAt();
          if (e.holds() && until.isAfter(now) && (bestPolicy == null || until.isAfter(bestUntil))) {
            bestPolicy = Rows.uuid(rs, "id");
            bestUntil = until;
          }
        }
      }
    }
    if (bestPolicy == null) {
      return Optional.empty();
    }
    UUID flowId = UUID.randomUUID();
    try (PreparedStatement ps =
        c.prepareStatement(
            "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at)"
                + " VALUES (?, ?, ?, ?, ?, ?, ?)")) {
      ps.setObject(1, flowId);
      ps.setObject(2, client.accountId());
      ps.setObject(3, clientId);
      ps.setObject(4, gatewayId);
      ps.setObject(5, resourceId);
      ps.setObject(6, bestPolicy);
      ps.setObject(7, OffsetDateTime.ofInstant(bestUntil, ZoneOffset.UTC));
      ps.executeUpdate();
    }
    return Optional.of(new Replacement(flowId, bestUntil));
  }
}
