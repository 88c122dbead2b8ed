package dev.gatehouse.controlplane.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.TupleData;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The CDC loop against the in-memory slot: ordering, acknowledgement, reconnects, no loss. */
class ReplicationConsumerTest {

  private final InMemoryReplicationSource slot = new InMemoryReplicationSource();
  private final ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(60));

  ReplicationConsumerTest() {
    slot.describe(ChangeAssemblerTest.POLICIES);
  }

  private long commitPolicy(String id) {
    return slot.commit(
        Instant.now(),
        List.of(
            new PgOutputMessage.Insert(
                ChangeAssemblerTest.POLICIES_OID,
                TupleData.ofText(
                    id,
                    ChangeAssemblerTest.ACCOUNT,
                    ChangeAssemblerTest.GROUP,
                    ChangeAssemblerTest.RESOURCE,
                    null,
                    "[]",
                    null,
                    null,
                    null,
                    "2026-11-28 18:00:00+00"))));
  }

  /** A sink that records ids and can be told to fail once. */
  static final class RecordingSink implements ChangeSink {
    final List<String> ids = new CopyOnWriteArrayList<>();
    final List<Long> commits = new CopyOnWriteArrayList<>();
    final List<Long> changeCommitLsns = new CopyOnWriteArrayList<>();
    final List<Long> commitLsns = new CopyOnWriteArrayList<>();
    final AtomicBoolean failNext = new AtomicBoolean();
    final LsnGuard guard = new LsnGuard("test");

    @Override
    public void accept(Change<?> change) {
      if (failNext.getAndSet(false)) {
        throw new IllegalStateException("sink failure");
      }
      changeCommitLsns.add(change.commitLsn());
      if (guard.admit(change)) {
        ids.add(((Row.Policy) change.newRow()).id().toString());
      }
    }

    @Override
    public void commit(long commitLsn, long endLsn, Instant commitTime) {
      commits.add(endLsn);
      commitLsns.add(commitLsn);
    }
  }

  private ReplicationConsumer consumer(ChangeSink sink) {
    return new ReplicationConsumer(
            slot, sink, metrics, InstantSource.system(), Duration.ofMillis(200))
        .start();
  }

  @Test
  void deliversInOrderAndAcknowledgesOnlyAppliedTransactions() {
    List<String> ids = List.of(id(), id(), id());
    ids.forEach(this::commitPolicy);
    RecordingSink sink = new RecordingSink();
    try (ReplicationConsumer c = consumer(sink)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.size() == 3);
      assertThat(sink.ids).containsExactlyElementsOf(ids);
      assertThat(sink.changeCommitLsns)
          .as("each change carries its transaction's commit LSN")
          .containsExactlyElementsOf(sink.commitLsns);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> slot.confirmedLsn() == sink.commits.getLast());
      assertThat(metrics.changesApplied()).isEqualTo(3);
      assertThat(metrics.transactionsApplied()).isEqualTo(3);
    }
  }

  @Test
  void reconnectsAfterBrokenSessionsAndOutagesWithoutLosingChanges() {
    RecordingSink sink = new RecordingSink();
    try (ReplicationConsumer c = consumer(sink)) {
      String first = id();
      commitPolicy(first);
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.contains(first));
      slot.setAvailable(false);
      slot.breakSessions();
      String duringOutage = id();
      commitPolicy(duringOutage);
      await().atMost(Duration.ofSeconds(5)).until(() -> metrics.failures() >= 2);
      slot.setAvailable(true);
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.contains(duringOutage));
      assertThat(sink.ids).containsExactly(first, duringOutage);
      assertThat(metrics.reconnects()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void aFailingSinkGetsTheTransactionAgainAndNothingIsAcknowledgedBeforeIt() {
    RecordingSink sink = new RecordingSink();
    sink.failNext.set(true);
    String only = id();
    long commitLsn = commitPolicy(only);
    try (ReplicationConsumer c = consumer(sink)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.contains(only));
      assertThat(metrics.failures()).isEqualTo(1);
      assertThat(sink.ids).containsExactly(only);
      await()
          .atMost(Duration.ofSeconds(5))
          .until(() -> Long.compareUnsigned(slot.confirmedLsn(), commitLsn) > 0);
    }
  }

  @Test
  void replayAfterACrashThatLostTheSlotPositionIsDroppedByPosition() {
    RecordingSink sink = new RecordingSink();
    String a = id();
    String b = id();
    commitPolicy(a);
    commitPolicy(b);
    try (ReplicationConsumer c = consumer(sink)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.size() == 2);
    }
    // PostgreSQL persists a slot's confirmed position at checkpoints: after a crash it may
    // send transactions again that were already acknowledged. A new consumer process (which
    // starts from LSN 0) then delivers them twice; the owner's guard drops them.
    slot.forgetAcknowledgements(0);
    String c2 = id();
    commitPolicy(c2);
    try (ReplicationConsumer c = consumer(sink)) {
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.ids.size() == 3);
      await().atMost(Duration.ofSeconds(5)).until(() -> sink.guard.dropped() == 2);
    }
    assertThat(sink.ids).containsExactly(a, b, c2);
  }

  @Test
  void lagIsMeasuredAndAWarningIsRaisedWhenItGrows() {
    RecordingSink sink = new RecordingSink();
    // The consumer's clock runs 2 minutes ahead of the commit timestamps: 120 s of lag.
    InstantSource ahead = InstantSource.offset(InstantSource.system(), Duration.ofMinutes(2));
    commitPolicy(id());
    try (ReplicationConsumer c =
        new ReplicationConsumer(slot, sink, metrics, ahead, Duration.ofMillis(200)).start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> metrics.transactionsApplied() == 1);
      assertThat(metrics.maxLagMillis()).isBetween(110_000L, 130_000L);
      assertThat(metrics.lagWarnings()).isEqualTo(1);
      await().atMost(Duration.ofSeconds(5)).until(() -> metrics.lagMillis() == 0);
      assertThat(metrics.lagBytes())
          .as("server WAL end minus acknowledged")
          .isGreaterThanOrEqualTo(0);
    }
  }

  @Test
  void aPoisonTransactionIsRetriedWithGrowingBackoffAndNothingAfterItIsAcknowledged() {
    ChangeSink poison =
        change -> {
          throw new IllegalStateException("cannot apply");
        };
    long commitLsn = commitPolicy(id());
    try (ReplicationConsumer c =
        new ReplicationConsumer(
                slot, poison, metrics, InstantSource.system(), Duration.ofMillis(400))
            .start()) {
      await().atMost(Duration.ofSeconds(5)).until(() -> metrics.failures() >= 3);
      long failuresAfter3 = metrics.failures();
      // 100 + 200 + 400 (+ 400...) ms between attempts: far fewer than a 100 ms loop would make.
      await()
          .during(Duration.ofMillis(700))
          .atMost(Duration.ofSeconds(2))
          .until(() -> metrics.failures() <= failuresAfter3 + 2);
      assertThat(Long.compareUnsigned(slot.confirmedLsn(), commitLsn)).isNegative();
    }
  }

  private static String id() {
    return UUID.randomUUID().toString();
  }
}
