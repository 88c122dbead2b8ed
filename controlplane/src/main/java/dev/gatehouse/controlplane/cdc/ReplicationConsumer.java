package dev.gatehouse.controlplane.cdc;

import dev.gatehouse.controlplane.pgoutput.PgOutputDecoder;
import dev.gatehouse.controlplane.pgoutput.PgOutputFormatException;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import java.time.Duration;
import java.time.InstantSource;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CDC loop: opens a session on a {@link ReplicationSource}, decodes each message, turns it into
 * {@link Change}s, hands them to a {@link ChangeSink}, and acknowledges a transaction only after
 * the sink applied all of it. On any failure it closes the session and reopens it with exponential
 * backoff (100 ms doubling up to {@code maxBackoff}, reset once a session makes progress); the slot
 * replays whatever was not acknowledged, so no change is lost and a change may be delivered twice
 * (consumers drop it by position).
 *
 * <p>Runs on one thread it owns ({@link #start()}), or on the caller's via {@link #run()}.
 */
public final class ReplicationConsumer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(ReplicationConsumer.class);
  private static final Duration POLL = Duration.ofMillis(100);
  private static final Duration INITIAL_BACKOFF = Duration.ofMillis(100);

  private final ReplicationSource source;
  private final ChangeSink sink;
  private final ReplicationMetrics metrics;
  private final InstantSource clock;
  private final Duration maxBackoff;
  private final PgOutputDecoder decoder = new PgOutputDecoder();
  private final CountDownLatch stopped = new CountDownLatch(1);
  private volatile boolean running = true;
  private volatile Thread thread;
  private volatile long acknowledgedLsn;

  public ReplicationConsumer(
      ReplicationSource source,
      ChangeSink sink,
      ReplicationMetrics metrics,
      InstantSource clock,
      Duration maxBackoff) {
    this.source = source;
    this.sink = sink;
    this.metrics = metrics;
    this.clock = clock;
    this.maxBackoff = maxBackoff;
  }

  /** Starts the loop on a new platform thread named {@code gatehouse-cdc}. */
  public ReplicationConsumer start() {
    Thread t = Thread.ofPlatform().name("gatehouse-cdc").daemon(true).unstarted(this::run);
    thread = t;
    t.start();
    return this;
  }

  /** Runs the loop on the calling thread until {@link #close()}. */
  public void run() {
    Duration backoff = INITIAL_BACKOFF;
    boolean first = true;
    try {
      while (running) {
        if (!first) {
          metrics.reconnected();
        }
        first = false;
        long progressMark = acknowledgedLsn;
        try (ReplicationStream stream = source.open(acknowledgedLsn)) {
          metrics.sessionOpened();
          LOG.info("replication session open, resuming after LSN {}", lsnText(acknowledgedLsn));
          pump(stream);
        } catch (ReplicationException | RuntimeException e) {
          if (!running) {
            break;
          }
          // Back off afresh only if the session made progress: a transaction that fails every
          // time (a poison change) must not be retried in a tight loop.
          if (acknowledgedLsn != progressMark) {
            backoff = INITIAL_BACKOFF;
          }
          metrics.failed(System.nanoTime());
          LOG.warn("replication session failed ({}); reconnecting in {} ms", e, backoff.toMillis());
          if (stopped.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
            break;
          }
          backoff =
              backoff.multipliedBy(2).compareTo(maxBackoff) > 0
                  ? maxBackoff
                  : backoff.multipliedBy(2);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void pump(ReplicationStream stream) throws ReplicationException {
    ChangeAssembler assembler = new ChangeAssembler();
    boolean inTransaction = false;
    while (running) {
      WalMessage wal = stream.read(POLL);
      if (wal == null) {
        if (!inTransaction) {
          long received = stream.receivedPosition();
          if (Long.compareUnsigned(received, acknowledgedLsn) > 0) {
            stream.acknowledge(received);
            acknowledgedLsn = received;
          }
          metrics.idle(acknowledgedLsn, stream.serverWalEnd(), System.nanoTime());
        }
        continue;
      }
      PgOutputMessage message;
      try {
        message = decoder.decode(wal.payload());
      } catch (PgOutputFormatException e) {
        throw new ReplicationException("undecodable message at " + lsnText(wal.walStart()), e);
      }
      switch (message) {
        case PgOutputMessage.Begin b -> {
          assembler.accept(b, wal.walStart());
          inTransaction = true;
        }
        case PgOutputMessage.Commit c -> {
          sink.commit(c.commitLsn(), c.endLsn(), c.commitTime());
          stream.acknowledge(c.endLsn());
          acknowledgedLsn = Math.max(acknowledgedLsn, c.endLsn());
          long lagMs = clock.millis() - c.commitTime().toEpochMilli();
          metrics.transactionApplied(c.endLsn(), lagMs, stream.serverWalEnd(), System.nanoTime());
          inTransaction = false;
        }
        default -> {
          for (Change<?> change : assembler.accept(message, wal.walStart())) {
            sink.accept(change);
            metrics.changeApplied();
          }
        }
      }
    }
  }

  /**
   * The position this consumer acknowledged last: the end of the last applied transaction, or a
   * later server position reached while idle.
   */
  public long acknowledgedLsn() {
    return acknowledgedLsn;
  }

  /** Stops the loop and waits up to 5 s for its thread. */
  @Override
  public void close() {
    running = false;
    stopped.countDown();
    Thread t = thread;
    if (t != null) {
      try {
        t.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** PostgreSQL's text form of an LSN, e.g. {@code 0/16B3748}. */
  public static String lsnText(long lsn) {
    return Long.toHexString(lsn >>> 32).toUpperCase()
        + "/"
        + Long.toHexString(lsn & 0xffffffffL).toUpperCase();
  }
}
