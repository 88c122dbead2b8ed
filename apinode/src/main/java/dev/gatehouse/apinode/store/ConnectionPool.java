package dev.gatehouse.apinode.store;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A small fixed-size pool of autocommit connections. {@link #borrow()} blocks (up to 10 s) when all
 * are in use; a connection that saw an error is discarded instead of returned. Thread-safe.
 */
public final class ConnectionPool implements AutoCloseable {

  /** A borrowed connection; closing it returns it to the pool. */
  public final class Lease implements AutoCloseable {
    private final Connection connection;
    private boolean broken;

    private Lease(Connection connection) {
      this.connection = connection;
    }

    public Connection connection() {
      return connection;
    }

    /** Marks the connection unusable (closed instead of returned). */
    public void broken() {
      broken = true;
    }

    @Override
    public void close() {
      giveBack(connection, broken);
    }
  }

  private final DatabaseConfig db;
  private final BlockingQueue<Connection> idle;
  private final Semaphore permits;
  private volatile boolean closed;

  public ConnectionPool(DatabaseConfig db, int size) {
    this.db = db;
    this.idle = new ArrayBlockingQueue<>(size);
    this.permits = new Semaphore(size, true);
  }

  public Lease borrow() throws SQLException {
    try {
      if (!permits.tryAcquire(10, TimeUnit.SECONDS)) {
        throw new SQLException("no database connection free within 10 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new SQLException("interrupted waiting for a database connection");
    }
    try {
      Connection c = idle.poll();
      while (c != null && c.isClosed()) {
        c = idle.poll();
      }
      if (c == null) {
        c = db.connect();
      }
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
      return new Lease(c);
    } catch (SQLException | RuntimeException e) {
      permits.release();
      throw e;
    }
  }

  private void giveBack(Connection c, boolean broken) {
    try {
      if (broken || closed || !idle.offer(c)) {
        closeQuietly(c);
      }
    } finally {
      permits.release();
    }
  }

  /** Runs {@code work} on a pooled connection; an SQLException marks the connection broken. */
  public <T> T with(Work<T> work) throws SQLException {
    try (Lease lease = borrow()) {
      try {
        return work.run(lease.connection());
      } catch (SQLException | RuntimeException e) {
        lease.broken();
        throw e;
      }
    }
  }

  /** Work on one connection. */
  @FunctionalInterface
  public interface Work<T> {
    T run(Connection c) throws SQLException;
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException ignored) {
      // already broken
    }
  }

  @Override
  public void close() {
    closed = true;
    Connection c;
    while ((c = idle.poll()) != null) {
      closeQuietly(c);
    }
  }
}
