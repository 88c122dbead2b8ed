package dev.gatehouse.controlplane.cdc;

import dev.gatehouse.controlplane.cdc.Change.Op;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Begin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Commit;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Delete;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Insert;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Origin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Truncate;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Type;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Update;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Turns decoded pgoutput messages of one replication session into typed {@link Change}s. Pure but
 * stateful: it remembers the relations described so far and the open transaction. One instance per
 * replication session (relation OIDs are re-sent after a reconnect).
 *
 * <p>Soft-delete meaning is applied here, once, for every consumer: an update that makes a row not
 * {@link Row#live()} becomes a DELETE of the old row, one that makes it live again an INSERT of the
 * new row; inserts of rows that are not live and updates between two non-live rows yield nothing.
 */
public final class ChangeAssembler {

  private final Map<Integer, Optional<RowMapper>> relations = new HashMap<>();
  private long commitLsn;
  private Instant commitTime = Instant.EPOCH;

  /**
   * Returns the changes that {@code message} produces, in order (usually zero or one; a TRUNCATE
   * yields one per table). {@code walStart} is the WAL position of the message's record.
   *
   * @throws ChangeMappingException for a row change of an undescribed relation or a bad value
   */
  public List<Change<?>> accept(PgOutputMessage message, long walStart) {
    return switch (message) {
      case Begin b -> {
        commitLsn = b.finalLsn();
        commitTime = b.commitTime();
        yield List.of();
      }
      case Commit c -> List.of();
      case Origin o -> List.of();
      case Type t -> List.of();
      case Relation r -> {
        relations.put(
            r.oid(),
            "public".equals(r.namespace())
                ? Table.bySqlName(r.name()).map(table -> new RowMapper(table, r))
                : Optional.empty());
        yield List.of();
      }
      case Insert i -> {
        Optional<RowMapper> mapper = mapper(i.relationOid());
        if (mapper.isEmpty()) {
          yield List.of();
        }
        Row row = mapper.get().map(i.newTuple(), null);
        yield row.live()
            ? List.of(change(mapper.get(), Op.INSERT, walStart, null, row))
            : List.of();
      }
      case Update u -> {
        Optional<RowMapper> mapper = mapper(u.relationOid());
        if (mapper.isEmpty()) {
          yield List.of();
        }
        Row old = u.oldTuple() == null ? null : mapper.get().map(u.oldTuple(), null);
        Row row = mapper.get().map(u.newTuple(), u.oldTuple());
        boolean wasLive = old == null || old.live();
        if (wasLive && row.live()) {
          yield List.of(change(mapper.get(), Op.UPDATE, walStart, old, row));
        } else if (wasLive) {
          yield List.of(change(mapper.get(), Op.DELETE, walStart, old != null ? old : row, null));
        } else if (row.live()) {
          yield List.of(change(mapper.get(), Op.INSERT, walStart, null, row));
        }
        yield List.of();
      }
      case Delete d -> {
        Optional<RowMapper> mapper = mapper(d.relationOid());
        if (mapper.isEmpty()) {
          yield List.of();
        }
        Row old = mapper.get().map(d.oldTuple(), null);
        yield old.live()
            ? List.of(change(mapper.get(), Op.DELETE, walStart, old, null))
            : List.of();
      }
      case Truncate t -> {
        List<Change<?>> out = new ArrayList<>();
        // One record truncates several tables; offsetting by the index keeps each change's
        // position distinct (the record is longer than the number of tables it names).
        for (int i = 0; i < t.relationOids().size(); i++) {
          Optional<RowMapper> m = mapper(t.relationOids().get(i));
          if (m.isPresent()) {
            out.add(
                new Change<>(
                    m.get().table(), Op.TRUNCATE, walStart + i, commitLsn, commitTime, null, null));
          }
        }
        yield out;
      }
    };
  }

  private Optional<RowMapper> mapper(int oid) {
    Optional<RowMapper> mapper = relations.get(oid);
    if (mapper == null) {
      throw new ChangeMappingException("change for relation " + oid + " before its Relation");
    }
    return mapper;
  }

  private Change<Row> change(RowMapper mapper, Op op, long lsn, Row old, Row row) {
    return new Change<>(mapper.table(), op, lsn, commitLsn, commitTime, old, row);
  }
}
