package dev.gatehouse.controlplane.cdc;

import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-owner stream position: admits a change only if it comes after the last admitted one (by
 * {@link Change#isAfter}); duplicates and out-of-order deliveries are dropped with a warning and
 * counted. One per cache owner; not thread-safe (the owner applies changes on one thread), the
 * counter is readable from any thread.
 */
public final class LsnGuard {

  private static final Logger LOG = LoggerFactory.getLogger(LsnGuard.class);

  private final String owner;
  private long commitLsn;
  private long lsn;
  private final AtomicLong dropped = new AtomicLong();

  public LsnGuard(String owner) {
    this.owner = owner;
  }

  /** Returns true and remembers the position if {@code change} is newer; false otherwise. */
  public boolean admit(Change<?> change) {
    if (!change.isAfter(commitLsn, lsn)) {
      dropped.incrementAndGet();
      LOG.warn(
          "{}: out of order or duplicate change ignored: {} {} at {}/{} (last applied {}/{})",
          owner,
          change.op(),
          change.table().sqlName(),
          ReplicationConsumer.lsnText(change.commitLsn()),
          ReplicationConsumer.lsnText(change.lsn()),
          ReplicationConsumer.lsnText(commitLsn),
          ReplicationConsumer.lsnText(lsn));
      return false;
    }
    commitLsn = change.commitLsn();
    lsn = change.lsn();
    return true;
  }

  /** How many changes were dropped as duplicate or out of order. */
  public long dropped() {
    return dropped.get();
  }

  public long lastCommitLsn() {
    return commitLsn;
  }

  public long lastLsn() {
    return lsn;
  }
}
