package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.ClientContext;
import dev.gatehouse.controlplane.cache.Condition;
import dev.gatehouse.controlplane.cache.Conditions;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FlowReauthorizer} backed by the database (Firezone's {@code Flows.reauthorize_flow}):
 * looks for another live policy that grants the client's actor the resource, through a group it is
 * a member of, with the resource served by the gateway's site and the policy's conditions holding
 * for the client now; records a new flow for the longest-lasting one, expiring no later than the
 * deleted flow. Blocks on one short transaction. A database error counts as "no replacement", so
 * access is rejected rather than kept on doubt.
 */
public final class DatabaseFlowReauthorizer implements FlowReauthorizer {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseFlowReauthorizer.class);

  private static final String CANDIDATES =
      "SELECT p.id, p.conditions::text AS conditions, p.expires_at FROM policies p"
          + " JOIN memberships m ON m.group_id = p.group_id"
          + " JOIN groups g ON g.id = p.group_id AND g.deleted_at IS NULL"
          + " JOIN resources r ON r.id = p.resource_id AND r.deleted_at IS NULL"
          + " JOIN resource_connections rc ON rc.resource_id = r.id"
          + " JOIN gateways gw ON gw.site_id = rc.site_id AND gw.id = ? AND gw.deleted_at IS NULL"
          + " WHERE m.actor_id = ? AND p.resource_id = ? AND p.deleted_at IS NULL"
          + " AND p.disabled_at IS NULL";

  private final DatabaseConfig db;

  public DatabaseFlowReauthorizer(DatabaseConfig db) {
    this.db = db;
  }

  @Override
  public Optional<Replacement> reauthorize(
      UUID gatewayId, UUID clientId, UUID resourceId, Instant previousExpiry, Instant now) {
    try (Connection c = db.connect()) {
      c.setAutoCommit(false);
      try {
        Optional<Replacement> r =
            reauthorize(c, gatewayId, clientId, resourceId, previousExpiry, now);
        c.commit();
        return r;
      } catch (SQLException | RuntimeException e) {
        c.rollback();
        throw e;
      }
    } catch (SQLException e) {
      LOG.warn(
          "reauthorization of client {} for resource {} failed; rejecting",
          clientId,
          resourceId,
          e);
      return Optional.empty();
    }
  }

  private Optional<Replacement> reauthorize(
      Connection c,
      UUID gatewayId,
      UUID clientId,
      UUID resourceId,
      Instant previousExpiry,
      Instant now)
      throws SQLException {
    Row.Client client;
    try (PreparedStatement ps =
        c.prepareStatement(
            "SELECT "
                + Rows.CLIENT_COLUMNS
                + " FROM clients WHERE id = ? AND deleted_at IS NULL")) {
      ps.setObject(1, clientId);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        client = Rows.client(rs);
      }
    }
    ClientContext context =
        new ClientContext(
            ClientContext.ipOrNull(client.lastSeenRemoteIp()),
            client.verifiedAt() != null,
            Version.parseOrUnknown(client.lastSeenVersion()),
            previousExpiry);
    UUID bestPolicy = null;
    Instant bestUntil = null;
    try (PreparedStatement ps = c.prepareStatement(CANDIDATES)) {
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
