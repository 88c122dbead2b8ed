package dev.gatehouse.controlplane.cdc;

/**
 * Opens replication sessions on a durable slot. Each {@link #open(long)} resumes after what the
 * slot has confirmed (or after {@code startLsn} if that is later), so a consumer that only
 * acknowledges applied transactions loses nothing across process or database restarts.
 */
public interface ReplicationSource {

  /**
   * Makes sure the publication and slot exist (idempotently), then starts streaming.
   *
   * @param startLsn the last LSN this process acknowledged, or 0 to start at the slot's confirmed
   *     position
   * @throws ReplicationException if the database is unreachable or refuses the session
   */
  ReplicationStream open(long startLsn) throws ReplicationException;
}
