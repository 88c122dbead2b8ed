package dev.gatehouse.controlplane.cdc;

import dev.gatehouse.controlplane.pgoutput.PgOutputEncoder;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Begin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Commit;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-memory twin of a PostgreSQL replication slot: tests append transactions (as pgoutput
 * messages, which it encodes to bytes), and sessions replay every transaction whose end LSN is
 * after the slot's confirmed position, like a real slot. Each session first sends the Relation
 * messages of all registered tables, as PostgreSQL does before first use. Faults can be injected:
 * {@link #breakSessions()} fails the open sessions, {@link #setAvailable(boolean)} makes {@link
 * #open(long)} fail. Thread-safe.
 */
public final class InMemoryReplicationSource implements ReplicationSource {

  private static final long LSN_STEP = 0x28;

  private final PgOutputEncoder encoder = new PgOutputEncoder();
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition appended = lock.newCondition();
  private final Map<Integer, Relation> relations = new LinkedHashMap<>();
  private final List<Txn> transactions = new ArrayList<>();
  private long nextLsn = 0x1000000;
  private long confirmedLsn;
  private int generation;
  private boolean available = true;
  private int opened;

  private record Txn(long endLsn, List<WalMessage> messages) {}

  /** Registers a table description; sessions send it before any transaction. */
  public void describe(Relation relation) {
    lock.lock();
    try {
      relations.put(relation.oid(), relation);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a committed transaction whose row messages get consecutive new LSNs.
   *
   * @return the transaction's commit LSN
   */
  public long commit(Instant commitTime, List<PgOutputMessage> rowMessages) {
    lock.lock();
    try {
      long[] lsns = new long[rowMessages.size()];
      for (int i = 0; i < lsns.length; i++) {
        lsns[i] = nextLsn += LSN_STEP;
      }
      return commit(commitTime, rowMessages, lsns);
    } finally {
      lock.unlock();
    }
  }

  /**
   * Appends a committed transaction whose row messages have the given record LSNs (which may be
   * lower than earlier transactions', as with interleaved transactions in PostgreSQL).
   *
   * @return the transaction's commit LSN
   */
  public long commit(Instant commitTime, List<PgOutputMessage> rowMessages, long[] recordLsns) {
    lock.lock();
    try {
      long commitLsn = nextLsn += LSN_STEP;
      long endLsn = nextLsn += LSN_STEP;
      List<WalMessage> out = new ArrayList<>();
      out.add(wal(commitLsn, new Begin(commitLsn, commitTime, (int) commitLsn)));
      for (int i = 0; i < rowMessages.size(); i++) {
        out.add(wal(recordLsns[i], rowMessages.get(i)));
      }
      out.add(wal(commitLsn, new Commit(0, commitLsn, endLsn, commitTime)));
      transactions.add(new Txn(endLsn, out));
      appended.signalAll();
      return commitLsn;
    } finally {
      lock.unlock();
    }
  }

  private WalMessage wal(long lsn, PgOutputMessage message) {
    return new WalMessage(lsn, ByteBuffer.wrap(encoder.encode(message)));
  }

  /** Fails every open session: their next read throws {@link ReplicationException}. */
  public void breakSessions() {
    lock.lock();
    try {
      generation++;
      appended.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** When false, {@link #open(long)} fails as if the database were down. */
  public void setAvailable(boolean available) {
    lock.lock();
    try {
      this.available = available;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Moves the slot's confirmed position back, as a PostgreSQL crash can (slot positions are
   * persisted at checkpoints): later sessions replay transactions after {@code lsn} again.
   */
  public void forgetAcknowledgements(long lsn) {
    lock.lock();
    try {
      confirmedLsn = lsn;
    } finally {
      lock.unlock();
    }
  }

  /** The slot's confirmed position (the highest acknowledged LSN). */
  public long confirmedLsn() {
    lock.lock();
    try {
      return confirmedLsn;
    } finally {
      lock.unlock();
    }
  }

  /** How many sessions were opened. */
  public int sessionsOpened() {
    lock.lock();
    try {
      return opened;
    } finally {
      lock.unlock();
    }
  }

  @Override
  public ReplicationStream open(long startLsn) throws ReplicationException {
    lock.lock();
    try {
      if (!available) {
        throw new ReplicationException("in-memory slot unavailable");
      }
      opened++;
      return new Session(Math.max(startLsn, confirmedLsn), generation);
    } finally {
      lock.unlock();
    }
  }

  private final class Session implements ReplicationStream {
    private final long startLsn;
    private final int sessionGeneration;
    private final List<WalMessage> pending = new ArrayList<>();
    private int nextTxn;
    private boolean closed;

    Session(long startLsn, int generation) {
      this.startLsn = startLsn;
      this.sessionGeneration = generation;
      for (Relation r : relations.values()) {
        pending.add(wal(0, r));
      }
    }

    @Override
    public WalMessage read(Duration timeout) throws ReplicationException {
      lock.lock();
      try {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
          if (closed || generation != sessionGeneration) {
            throw new ReplicationException("in-memory session broken");
          }
          if (!pending.isEmpty()) {
            WalMessage m = pending.removeFirst();
            return new WalMessage(m.walStart(), m.payload().duplicate());
          }
          while (nextTxn < transactions.size()) {
            Txn txn = transactions.get(nextTxn++);
            if (Long.compareUnsigned(txn.endLsn(), startLsn) > 0) {
              pending.addAll(txn.messages());
              break;
            }
          }
          if (!pending.isEmpty()) {
            continue;
          }
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            return null;
          }
          appended.await(left, TimeUnit.NANOSECONDS);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new ReplicationException("interrupted", e);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void acknowledge(long lsn) {
      lock.lock();
      try {
        confirmedLsn = Math.max(confirmedLsn, lsn);
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long receivedPosition() {
      lock.lock();
      try {
        // Like a keepalive: once everything is delivered, the server's position is its WAL end.
        boolean caughtUp = pending.isEmpty() && nextTxn == transactions.size();
        return caughtUp ? nextLsn : 0;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public long serverWalEnd() {
      lock.lock();
      try {
        return nextLsn;
      } finally {
        lock.unlock();
      }
    }

    @Override
    public void close() {
      lock.lock();
      try {
        closed = true;
      } finally {
        lock.unlock();
      }
    }
  }
}
