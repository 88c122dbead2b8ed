package dev.gatehouse.controlplane.cdc;

import java.time.Instant;

/**
 * Receives changes from a {@link ReplicationConsumer}, synchronously, on the consumer's thread, in
 * stream order. When a method returns, the change counts as applied: the consumer acknowledges a
 * transaction to the database only after {@link #commit} returned. A sink that throws makes the
 * consumer reconnect and receive the transaction again (consumers drop what they have already
 * applied by its position, see {@link Change#isAfter}).
 */
public interface ChangeSink {

  /** Applies one change. */
  void accept(Change<?> change);

  /** The transaction whose changes were just delivered committed at {@code commitLsn}. */
  default void commit(long commitLsn, long endLsn, Instant commitTime) {}
}
