package dev.gatehouse.apinode.store;

import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.pg.FlowReauthorization;
import dev.gatehouse.controlplane.pg.FlowReauthorization.PolicyLock;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The same decision as the control plane's {@code DatabaseFlowReauthorizer} ({@link
 * FlowReauthorization}), but on this node's connection pool. The control plane's version opens a
 * new connection per call, whose SCRAM handshake alone put ~20 ms on every revocation's {@code
 * reject_access} path. A database error counts as "no replacement" (access is rejected).
 *
 * <p>The candidate policies are read {@link PolicyLock#SHARE FOR SHARE}: a fast reader could still
 * see the policy whose deletion removed the flow (the control plane's reauthorizer has the same
 * race, hidden by its connection set-up time).
 */
public final class PooledFlowReauthorizer implements FlowReauthorizer {

  private static final Logger LOG = LoggerFactory.getLogger(PooledFlowReauthorizer.class);

  private final ConnectionPool pool;

  public PooledFlowReauthorizer(ConnectionPool pool) {
    this.pool = pool;
  }

  @Override
  public Optional<Replacement> reauthorize(
      UUID gatewayId, UUID clientId, UUID resourceId, Instant previousExpiry, Instant now) {
    try {
      return pool.with(
          c ->
              FlowReauthorization.reauthorize(
                  c, PolicyLock.SHARE, gatewayId, clientId, resourceId, previousExpiry, now));
    } catch (SQLException e) {
      LOG.warn(
          "reauthorization of client {} for resource {} failed; rejecting",
          clientId,
          resourceId,
          e);
      return Optional.empty();
    }
  }
}
