package dev.gatehouse.controlplane.cdc;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Counters and gauges of one {@link ReplicationConsumer}, written by the consumer thread and
 * readable from any thread (the operator exports them). Lag is measured two ways:
 *
 * <ul>
 *   <li>bytes: the server's WAL end minus the last acknowledged LSN;
 *   <li>time: when a transaction is applied, how long after its commit that happened; 0 when the
 *       consumer is idle and has applied everything it received.
 * </ul>
 *
 * When the time lag exceeds the warning threshold a warning is logged (at most every 10 s).
 */
public final class ReplicationMetrics {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationMetrics.class);
  private static final long WARN_INTERVAL_NANOS = Duration.ofSeconds(10).toNanos();

  private final long warnLagMillis;
  private final AtomicLong changesApplied = new AtomicLong();
  private final AtomicLong transactionsApplied = new AtomicLong();
  private final AtomicLong reconnects = new AtomicLong();
  private final AtomicLong failures = new AtomicLong();
  private final AtomicLong lastAcknowledgedLsn = new AtomicLong();
  private final AtomicLong lagBytes = new AtomicLong();
  private final AtomicLong lagMillis = new AtomicLong();
  private final AtomicLong lagWarnings = new AtomicLong();
  private final AtomicLong maxLagMillis = new AtomicLong();
  private volatile boolean streamUp;
  private volatile long downSinceNanos = System.nanoTime();
  private long lastWarnNanos = Long.MIN_VALUE / 2;

  /**
   * @param warnLag time lag above which a warning is logged (Firezone uses 60 s)
   */
  public ReplicationMetrics(Duration warnLag) {
    this.warnLagMillis = warnLag.toMillis();
  }

  void changeApplied() {
    changesApplied.incrementAndGet();
  }

  void transactionApplied(long endLsn, long lagMs, long serverWalEnd, long nowNanos) {
    transactionsApplied.incrementAndGet();
    lastAcknowledgedLsn.set(endLsn);
    recordLag(lagMs, serverWalEnd, nowNanos);
  }

  void idle(long acknowledgedLsn, long serverWalEnd, long nowNanos) {
    lastAcknowledgedLsn.accumulateAndGet(acknowledgedLsn, Math::max);
    recordLag(0, serverWalEnd, nowNanos);
  }

  private void recordLag(long lagMs, long serverWalEnd, long nowNanos) {
    lagMillis.set(Math.max(0, lagMs));
    maxLagMillis.accumulateAndGet(lagMs, Math::max);
    if (serverWalEnd >= 0) {
      lagBytes.set(Math.max(0, serverWalEnd - lastAcknowledgedLsn.get()));
    }
    if (lagMs > warnLagMillis && nowNanos - lastWarnNanos > WARN_INTERVAL_NANOS) {
      lastWarnNanos = nowNanos;
      lagWarnings.incrementAndGet();
      LOG.warn(
          "CDC lag is {} ms ({} bytes), above the {} ms warning threshold",
          lagMs,
          lagBytes.get(),
          warnLagMillis);
    }
  }

  void reconnected() {
    reconnects.incrementAndGet();
  }

  /** A replication session opened: the stream is up. */
  void sessionOpened() {
    streamUp = true;
  }

  /** The session ended with an error: the stream is down from {@code nowNanos}. */
  void failed(long nowNanos) {
    failures.incrementAndGet();
    if (streamUp) {
      streamUp = false;
      downSinceNanos = nowNanos;
    }
  }

  /** Whether a replication session is open now. */
  public boolean streamUp() {
    return streamUp;
  }

  /**
   * How long the stream has been down at {@code nowNanos} ({@link System#nanoTime()}): zero while a
   * session is open, otherwise since the last session failed (or since this consumer started, if no
   * session ever opened).
   */
  public Duration streamDownFor(long nowNanos) {
    return streamUp ? Duration.ZERO : Duration.ofNanos(Math.max(0, nowNanos - downSinceNanos));
  }

  public long changesApplied() {
    return changesApplied.get();
  }

  public long transactionsApplied() {
    return transactionsApplied.get();
  }

  /** Sessions opened after the first one. */
  public long reconnects() {
    return reconnects.get();
  }

  /** Sessions that ended with an error (connection loss, sink failure, bad data). */
  public long failures() {
    return failures.get();
  }

  public long lastAcknowledgedLsn() {
    return lastAcknowledgedLsn.get();
  }

  public long lagBytes() {
    return lagBytes.get();
  }

  public long lagMillis() {
    return lagMillis.get();
  }

  /** The highest time lag observed since this consumer started. */
  public long maxLagMillis() {
    return maxLagMillis.get();
  }

  public long lagWarnings() {
    return lagWarnings.get();
  }
}
