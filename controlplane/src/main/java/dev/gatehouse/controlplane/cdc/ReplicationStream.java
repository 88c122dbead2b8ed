package dev.gatehouse.controlplane.cdc;

import java.time.Duration;

/**
 * One open logical replication session on a slot, delivering pgoutput messages in stream order
 * (transactions whole, in commit order). Implementations: {@code PgReplicationSource} (pgjdbc's
 * PGReplicationStream) and {@link InMemoryReplicationSource} (the in-memory twin). Not thread-safe:
 * one consumer thread reads and acknowledges.
 */
public interface ReplicationStream extends AutoCloseable {

  /**
   * Waits up to {@code timeout} for the next message.
   *
   * @return the next message, or null if none arrived in time. The message's payload buffer is
   *     owned by the caller only until the next call to {@code read}.
   * @throws ReplicationException if the session is broken (database restart, network); the caller
   *     closes this stream and opens a new one
   */
  WalMessage read(Duration timeout) throws ReplicationException;

  /**
   * Records that every transaction ending at or before {@code lsn} has been applied, so the slot
   * may release it. Never blocks on the network for long; the position reaches the server with the
   * next standby status update. Calling it with a smaller LSN than before has no effect.
   */
  void acknowledge(long lsn) throws ReplicationException;

  /**
   * The server's position as of the last message or keepalive received. Between transactions (after
   * a Commit and before the next Begin) every transaction that committed before this position has
   * been delivered, so it may be acknowledged even though no change for this stream's tables was
   * written: that lets the slot release WAL written for other tables.
   */
  long receivedPosition();

  /**
   * The server's current WAL end as last observed (for lag), or -1 when unknown. May be a few
   * seconds stale.
   */
  long serverWalEnd();

  /** Closes the session; the slot keeps everything not acknowledged. Never throws. */
  @Override
  void close();
}
