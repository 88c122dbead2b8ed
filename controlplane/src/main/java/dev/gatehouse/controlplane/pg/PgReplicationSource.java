package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cdc.ReplicationException;
import dev.gatehouse.controlplane.cdc.ReplicationSource;
import dev.gatehouse.controlplane.cdc.ReplicationStream;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.cdc.WalMessage;
import java.nio.ByteBuffer;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Pattern;
import org.postgresql.PGConnection;
import org.postgresql.replication.LogSequenceNumber;
import org.postgresql.replication.PGReplicationStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ReplicationSource} over PostgreSQL logical replication with {@code pgoutput}, through
 * pgjdbc's {@link PGReplicationStream}. {@link #open} idempotently makes the publication contain
 * exactly the configured tables (adding and dropping tables as needed, like Firezone's setup state
 * machine) and creates the durable slot if missing, then starts streaming from the slot's confirmed
 * position.
 */
public final class PgReplicationSource implements ReplicationSource {

  private static final Logger LOG = LoggerFactory.getLogger(PgReplicationSource.class);
  private static final Pattern IDENTIFIER = Pattern.compile("[a-z_][a-z0-9_]{0,62}");
  private static final long PROBE_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

  private final DatabaseConfig db;
  private final String slot;
  private final String publication;
  private final List<Table> tables;

  public PgReplicationSource(
      DatabaseConfig db, String slot, String publication, List<Table> tables) {
    this.db = db;
    this.slot = identifier(slot);
    this.publication = identifier(publication);
    this.tables = List.copyOf(tables);
  }

  public String slotName() {
    return slot;
  }

  /** Whether a session is currently streaming from the slot. */
  public boolean slotActive() throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT active FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() && rs.getBoolean(1);
      }
    }
  }

  private static String identifier(String name) {
    if (!IDENTIFIER.matcher(name).matches()) {
      throw new IllegalArgumentException("not a plain SQL identifier: " + name);
    }
    return name;
  }

  @Override
  public ReplicationStream open(long startLsn) throws ReplicationException {
    Connection plain = null;
    Connection replication = null;
    try {
      plain = db.connect();
      ensurePublication(plain);
      ensureSlot(plain);
      replication = db.connectForReplication();
      PGReplicationStream stream =
          replication
              .unwrap(PGConnection.class)
              .getReplicationAPI()
              .replicationStream()
              .logical()
              .withSlotName(slot)
              .withSlotOption("proto_version", "1")
              .withSlotOption("publication_names", publication)
              .withStartPosition(LogSequenceNumber.valueOf(startLsn))
              .withStatusInterval(1, TimeUnit.SECONDS)
              .start();
      return new Session(plain, replication, stream);
    } catch (SQLException e) {
      closeQuietly(replication);
      closeQuietly(plain);
      throw new ReplicationException(
          "cannot open replication on slot " + slot + " (" + db + ")", e);
    }
  }

  /** Makes the publication contain exactly the configured tables. */
  void ensurePublication(Connection c) throws SQLException {
    boolean exists;
    try (PreparedStatement ps =
        c.prepareStatement("SELECT 1 FROM pg_publication WHERE pubname = ?")) {
      ps.setString(1, publication);
      try (ResultSet rs = ps.executeQuery()) {
        exists = rs.next();
      }
    }
    List<String> wanted = tables.stream().map(Table::sqlName).toList();
    try (Statement st = c.createStatement()) {
      if (!exists) {
        try {
          st.execute(
              "CREATE PUBLICATION " + publication + " FOR TABLE " + String.join(", ", wanted));
          LOG.info("created publication {} for {}", publication, wanted);
          return;
        } catch (SQLException e) {
          if (!"42710".equals(e.getSQLState())) { // duplicate_object: another replica won the race
            throw e;
          }
        }
      }
      Set<String> current = new HashSet<>();
      try (PreparedStatement ps =
          c.prepareStatement(
              "SELECT tablename FROM pg_publication_tables WHERE pubname = ? AND schemaname = 'public'")) {
        ps.setString(1, publication);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            current.add(rs.getString(1));
          }
        }
      }
      List<String> add = new ArrayList<>(wanted);
      add.removeAll(current);
      List<String> drop = new ArrayList<>(current);
      drop.removeAll(wanted);
      if (!add.isEmpty()) {
        st.execute("ALTER PUBLICATION " + publication + " ADD TABLE " + String.join(", ", add));
        LOG.info("publication {}: added {}", publication, add);
      }
      if (!drop.isEmpty()) {
        st.execute(
            "ALTER PUBLICATION "
                + publication
                + " DROP TABLE "
                + String.join(
                    ", ", drop.stream().map(t -> "\"" + t.replace("\"", "\"\"") + "\"").toList()));
        LOG.info("publication {}: dropped {}", publication, drop);
      }
    }
  }

  /** Creates the logical slot with pgoutput if it does not exist. */
  void ensureSlot(Connection c) throws SQLException {
    try (PreparedStatement ps =
        c.prepareStatement("SELECT plugin FROM pg_replication_slots WHERE slot_name = ?")) {
      ps.setString(1, slot);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          if (!"pgoutput".equals(rs.getString(1))) {
            throw new SQLException("slot " + slot + " exists with plugin " + rs.getString(1));
          }
          return;
        }
      }
    }
    try (PreparedStatement ps =
        c.prepareStatement("SELECT pg_create_logical_replication_slot(?, 'pgoutput')")) {
      ps.setString(1, slot);
      ps.execute();
      LOG.info("created replication slot {}", slot);
    } catch (SQLException e) {
      if (!"42710".equals(e.getSQLState())) {
        throw e;
      }
    }
  }

  /** Drops the slot (if inactive) and the publication; for tests and uninstall. */
  public void dropSlotAndPublication() throws SQLException {
    try (Connection c = db.connect();
        Statement st = c.createStatement()) {
      st.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = '"
              + slot
              + "' AND NOT active");
      st.execute("DROP PUBLICATION IF EXISTS " + publication);
    }
  }

  private static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // closing a broken connection
      }
    }
  }

  private static final class Session implements ReplicationStream {
    private final Connection plain;
    private final Connection replication;
    private final PGReplicationStream stream;
    private long serverWalEnd = -1;
    private long lastProbeNanos = System.nanoTime() - PROBE_INTERVAL_NANOS;
    private long acknowledged;

    Session(Connection plain, Connection replication, PGReplicationStream stream) {
      this.plain = plain;
      this.replication = replication;
      this.stream = stream;
    }

    @Override
    public WalMessage read(Duration timeout) throws ReplicationException {
      long deadline = System.nanoTime() + timeout.toNanos();
      try {
        while (true) {
          ByteBuffer buffer = stream.readPending();
          if (buffer != null) {
            return new WalMessage(stream.getLastReceiveLSN().asLong(), buffer);
          }
          probe();
          if (System.nanoTime() >= deadline) {
            return null;
          }
          LockSupport.parkNanos(500_000);
        }
      } catch (SQLException e) {
        throw new ReplicationException("replication stream failed", e);
      }
    }

    private void probe() {
      long now = System.nanoTime();
      if (now - lastProbeNanos < PROBE_INTERVAL_NANOS) {
        return;
      }
      lastProbeNanos = now;
      try (Statement st = plain.createStatement();
          ResultSet rs = st.executeQuery("SELECT pg_current_wal_lsn()")) {
        if (rs.next()) {
          serverWalEnd = LogSequenceNumber.valueOf(rs.getString(1)).asLong();
        }
      } catch (SQLException e) {
        serverWalEnd = -1;
      }
    }

    @Override
    public void acknowledge(long lsn) {
      if (Long.compareUnsigned(lsn, acknowledged) <= 0) {
        return;
      }
      acknowledged = lsn;
      LogSequenceNumber position = LogSequenceNumber.valueOf(lsn);
      stream.setAppliedLSN(position);
      stream.setFlushedLSN(position);
    }

    @Override
    public long receivedPosition() {
      // pgjdbc advances this on XLogData (record start) and on keepalives (server WAL end).
      return stream.getLastReceiveLSN().asLong();
    }

    @Override
    public long serverWalEnd() {
      return serverWalEnd;
    }

    @Override
    public void close() {
      try {
        if (acknowledged != 0 && !stream.isClosed()) {
          stream.forceUpdateStatus();
        }
      } catch (SQLException ignored) {
        // the connection is already gone; the slot keeps the last position it received
      }
      closeQuietly(stream::close);
      closeQuietly(replication);
      closeQuietly(plain);
    }
  }
}
