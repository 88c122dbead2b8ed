package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.pg.FlowReauthorization.PolicyLock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FlowReauthorizer} backed by the database ({@link FlowReauthorization}, with a plain read
 * of the candidate policies), on a new connection per call. Blocks on one short transaction. A
 * database error counts as "no replacement", so access is rejected rather than kept on doubt.
 */
public final class DatabaseFlowReauthorizer implements FlowReauthorizer {

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseFlowReauthorizer.class);

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
            FlowReauthorization.reauthorize(
                c, PolicyLock.NONE, gatewayId, clientId, resourceId, previousExpiry, now);
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
}
