package dev.gatehouse.controlplane.cdc;

import java.time.Instant;

/**
 * One change to a control-plane table, decoded from logical replication.
 *
 * <p>{@code op} already has the soft-delete meaning applied: setting {@code deleted_at} (or {@code
 * disabled_at} on policies and accounts) is a {@link Op#DELETE} carrying the old row, and clearing
 * it is an {@link Op#INSERT} carrying the new row. {@code oldRow} is null for inserts, {@code
 * newRow} is null for deletes; both are null for {@link Op#TRUNCATE}.
 *
 * <p>{@code lsn} is the WAL position of the change's own record. PostgreSQL streams whole
 * transactions in commit order, so record LSNs alone are not monotonic across transactions (a
 * transaction that started earlier but committed later has lower record LSNs). The stream order is
 * (commitLsn, lsn): {@link #isAfter(long, long)} compares in that order, and consumers use it to
 * drop duplicates and out-of-order deliveries.
 *
 * @param <R> the row type of {@code table}
 */
public record Change<R extends Row>(
    Table table, Op op, long lsn, long commitLsn, Instant commitTime, R oldRow, R newRow) {

  /** What happened to the row. */
  public enum Op {
    INSERT,
    UPDATE,
    DELETE,
    TRUNCATE
  }

  /** The row this change is about: the new row, or the old one for deletes. */
  public R row() {
    return newRow != null ? newRow : oldRow;
  }

  /** Whether this change comes after the stream position ({@code commitLsn}, {@code lsn}). */
  public boolean isAfter(long otherCommitLsn, long otherLsn) {
    int byCommit = Long.compareUnsigned(commitLsn, otherCommitLsn);
    return byCommit > 0 || (byCommit == 0 && Long.compareUnsigned(lsn, otherLsn) > 0);
  }
}
