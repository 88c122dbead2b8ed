package dev.gatehouse.apinode.store;

import dev.gatehouse.controlplane.cache.ClientContext;
import dev.gatehouse.controlplane.cache.Condition;
import dev.gatehouse.controlplane.cache.Conditions;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.Version;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same decision as the control plane's {@code DatabaseFlowReauthorizer} (Firezone's {@code
 * Flows.reauthorize_flow}: another live policy of the client's actor for the resource, served by
 * the gateway's site, whose conditions hold now; a replacement flow expiring no later than the
 * deleted one), but on this node's connection pool. The control plane's version opens a new
 * connection per call, whose SCRAM handshake alone put ~20 ms on every revocation's {@code
 * reject_access} path. A database error counts as "no replacement" (access is rejected).
 *
 * <p>The candidate policies are read {@code FOR SHARE}: a walsender may deliver a transaction's
 * changes a moment before that transaction is visible to other sessions, so a fast reader could
 * still see the policy whose deletion removed the flow. The row lock waits for the deleting
 * transaction to finish and re-checks the row (the control plane's reauthorizer has the same race,
 * hidden by its connection set-up time).
 */
public final class PooledFlowReauthorizer implements FlowReauthorizer {

  private static final Logger LOG = LoggerFactory.getLogger(PooledFlowReauthorizer.class);

  private static final String CANDIDATES =
      "SELECT p.id, p.conditions::text AS conditions, p.expires_at FROM policies p"
          + " JOIN memberships m ON m.group_id = p.group_id"
          + " JOIN groups g ON g.id = p.group_id AND g.deleted_at IS NULL"
          + " JOIN resources r ON r.id = p.resource_id AND r.deleted_at IS NULL"
          + " JOIN resource_connections rc ON rc.resource_id = r.id"
          + " JOIN gateways gw ON gw.site_id = rc.site_id AND gw.id = ? AND gw.deleted_at IS NULL"
          + " WHERE m.actor_id = ? AND p.resource_id = ? AND p.deleted_at IS NULL"
          + " AND p.disabled_at IS NULL FOR SHARE OF p";

  private record ClientRow(
      UUID accountId, UUID actorId, String remoteIp, boolean verified, String version) {}

  private record Candidate(UUID policyId, String conditions, Instant expiresAt) {}

  private final ConnectionPool pool;

  public PooledFlowReauthorizer(ConnectionPool pool) {
    this.pool = pool;
  }

  @Override
  public Optional<Replacement> reauthorize(
      UUID gatewayId, UUID clientId, UUID resourceId, Instant previousExpiry, Instant now) {
    try {
      return pool.with(c -> reauthorize(c, gatewayId, clientId, resourceId, previousExpiry, now));
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
    List<ClientRow> clients =
        Sql.query(
            c,
            "SELECT account_id, actor_id, host(last_seen_remote_ip) AS ip, verified_at IS NOT NULL AS verified,"
                + " last_seen_version FROM clients WHERE id = ? AND deleted_at IS NULL",
            rs ->
                new ClientRow(
                    Sql.uuid(rs, "account_id"),
                    Sql.uuid(rs, "actor_id"),
                    rs.getString("ip"),
                    rs.getBoolean("verified"),
                    rs.getString("last_seen_version")),
            clientId);
    if (clients.isEmpty()) {
      return Optional.empty();
    }
    ClientRow client = clients.getFirst();
    ClientContext context =
        new ClientContext(
            ClientContext.ipOrNull(client.remoteIp()),
            client.verified(),
            Version.parseOrUnknown(client.version()),
            previousExpiry);
    List<Candidate> candidates =
        Sql.query(
            c,
            CANDIDATES,
            rs ->
                new Candidate(
                    Sql.uuid(rs, "id"), rs.getString("conditions"), Sql.time(rs, "expires_at")),
            gatewayId,
            client.actorId(),
            resourceId);
    UUID bestPolicy = null;
    Instant bestUntil = null;
    for (Candidate cand : candidates) {
      List<Condition> conditions = Conditions.parse(cand.conditions(), cand.expiresAt());
      Conditions.Evaluation e = Conditions.evaluate(conditions, context, now);
      Instant until =
          e.expiresAt() == null || e.expiresAt().isAfter(previousExpiry)
              ? previousExpiry
              : e.expiresAt();
      if (e.holds() && until.isAfter(now) && (bestPolicy == null || until.isAfter(bestUntil))) {
        bestPolicy = cand.policyId();
        bestUntil = until;
      }
    }
    if (bestPolicy == null) {
      return Optional.empty();
    }
    UUID flowId = UUID.randomUUID();
    Sql.update(
        c,
        "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at)"
            + " VALUES (?, ?, ?, ?, ?, ?, ?)",
        flowId,
        client.accountId(),
        clientId,
        gatewayId,
        resourceId,
        bestPolicy,
        bestUntil);
    return Optional.of(new Replacement(flowId, bestUntil));
  }
}
