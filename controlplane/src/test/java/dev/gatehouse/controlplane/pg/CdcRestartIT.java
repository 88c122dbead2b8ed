package dev.gatehouse.controlplane.pg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.ChangeSink;
import dev.gatehouse.controlplane.cdc.LsnGuard;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.testing.Fixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is restarted (e2e/scripts/postgres.sh restart) while a writer commits a steady stream
 * of rows: the consumer reconnects, resumes from its slot, and every committed row is applied
 * exactly once (replayed duplicates are dropped by position).
 */
class CdcRestartIT {

  private static final int ROWS = 400;

  @Test
  void restartMidStreamLosesNothing() throws Exception {
    DatabaseConfig db = TestDatabase.migrated();
    PgReplicationSource source = TestDatabase.uniqueSource();
    UUID account = UUID.randomUUID();
    try (Fixtures f = new Fixtures(db)) {
      account = f.account;
    }
    UUID acc = account;
    LsnGuard guard = new LsnGuard("restart-it");
    Set<UUID> applied = ConcurrentHashMap.newKeySet();
    AtomicInteger appliedTwice = new AtomicInteger();
    ChangeSink sink =
        new ChangeSink() {
          @Override
          public void accept(Change<?> change) {
            if (guard.admit(change)
                && change.table() == Table.GROUPS
                && change.newRow() instanceof Row.Group g
                && g.accountId().equals(acc)
                && !applied.add(g.id())) {
              appliedTwice.incrementAndGet();
            }
          }
        };
    ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(60));
    List<UUID> ids = new ArrayList<>();
    for (int i = 0; i < ROWS; i++) {
      ids.add(UUID.randomUUID());
    }
    try (ReplicationConsumer consumer =
        new ReplicationConsumer(
                source, sink, metrics, InstantSource.system(), Duration.ofSeconds(1))
            .start()) {
      await().atMost(Duration.ofSeconds(20)).until(source::slotActive);
      Thread writer = Thread.ofPlatform().name("it-writer").start(() -> writeAll(db, acc, ids));
      await().atMost(Duration.ofSeconds(30)).until(() -> applied.size() >= ROWS / 4);
      TestDatabase.script("restart");
      writer.join(120_000);
      assertThat(writer.isAlive()).isFalse();
      await().atMost(Duration.ofSeconds(60)).until(() -> applied.size() == ROWS);
      assertThat(new HashSet<>(applied)).isEqualTo(new HashSet<>(ids));
      assertThat(appliedTwice.get()).isZero();
      assertThat(metrics.reconnects()).as("the consumer reconnected").isGreaterThanOrEqualTo(1);
      System.out.printf(
          "restart IT: %d rows, %d reconnects, %d replayed changes dropped%n",
          ROWS, metrics.reconnects(), guard.dropped());
    } finally {
      await().atMost(Duration.ofSeconds(10)).until(() -> !source.slotActive());
      source.dropSlotAndPublication();
    }
  }

  @Test
  void processRestartResumesFromTheSlotAndReplayedChangesAreDroppedByPosition() throws Exception {
    DatabaseConfig db = TestDatabase.migrated();
    PgReplicationSource source = TestDatabase.uniqueSource();
    try (Fixtures f = new Fixtures(db)) {
      LsnGuard guard = new LsnGuard("process-restart-it");
      List<UUID> applied = new java.util.concurrent.CopyOnWriteArrayList<>();
      java.util.concurrent.atomic.AtomicInteger failAt =
          new java.util.concurrent.atomic.AtomicInteger(-1);
      ChangeSink sink =
          new ChangeSink() {
            @Override
            public void accept(Change<?> change) {
              if (change.table() != Table.GROUPS
                  || !(change.newRow() instanceof Row.Group g)
                  || !g.accountId().equals(f.account)) {
                return;
              }
              if (failAt.get() >= 0 && applied.size() == failAt.get()) {
                failAt.set(-1);
                throw new IllegalStateException("sink fails in the middle of a transaction");
              }
              if (guard.admit(change)) {
                applied.add(g.id());
              }
            }
          };
      // First "process": applies a transaction, then stops.
      try (ReplicationConsumer first =
          new ReplicationConsumer(
                  source,
                  sink,
                  new ReplicationMetrics(Duration.ofSeconds(60)),
                  InstantSource.system(),
                  Duration.ofSeconds(1))
              .start()) {
        await().atMost(Duration.ofSeconds(20)).until(source::slotActive);
        f.group();
        await().atMost(Duration.ofSeconds(20)).until(() -> applied.size() == 1);
      }
      await().atMost(Duration.ofSeconds(10)).until(() -> !source.slotActive());
      // Written while no consumer runs: a 10-row transaction.
      List<UUID> batch = new ArrayList<>();
      try (Connection c = db.connect()) {
        c.setAutoCommit(false);
        try (PreparedStatement ps =
            c.prepareStatement(
                "INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'batch')")) {
          for (int i = 0; i < 10; i++) {
            UUID id = UUID.randomUUID();
            batch.add(id);
            ps.setObject(1, id);
            ps.setObject(2, f.account);
            ps.executeUpdate();
          }
        }
        c.commit();
      }
      // Second "process" (fresh consumer, no memory of LSNs; the owner's guard survives, as a
      // channel's would across a CDC reconnect): its sink fails after 4 rows of the batch, so
      // the transaction is delivered again and the 4 rows already applied are dropped.
      failAt.set(5);
      ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(60));
      try (ReplicationConsumer second =
          new ReplicationConsumer(
                  source, sink, metrics, InstantSource.system(), Duration.ofSeconds(1))
              .start()) {
        await().atMost(Duration.ofSeconds(30)).until(() -> applied.size() == 11);
        assertThat(applied.subList(1, 11)).containsExactlyElementsOf(batch);
        assertThat(guard.dropped()).as("replayed rows dropped by position").isEqualTo(4);
        assertThat(metrics.failures()).isEqualTo(1);
      }
    } finally {
      await().atMost(Duration.ofSeconds(10)).until(() -> !source.slotActive());
      source.dropSlotAndPublication();
    }
  }

  /** Inserts each row in its own transaction, retrying through the restart (idempotently). */
  private static void writeAll(DatabaseConfig db, UUID account, List<UUID> ids) {
    int next = 0;
    while (next < ids.size()) {
      try (Connection c = db.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'restart') ON CONFLICT (id) DO NOTHING")) {
        while (next < ids.size()) {
          ps.setObject(1, ids.get(next));
          ps.setObject(2, account);
          ps.executeUpdate();
          next++;
          Thread.sleep(3);
        }
      } catch (SQLException e) {
        try {
          Thread.sleep(200); // the database is restarting
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return;
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
