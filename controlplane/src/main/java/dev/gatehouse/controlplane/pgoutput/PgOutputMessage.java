package dev.gatehouse.controlplane.pgoutput;

import java.time.Instant;
import java.util.List;

/**
 * One message of PostgreSQL's {@code pgoutput} logical decoding plugin, protocol version 1
 * (PostgreSQL docs, "Logical Replication Message Formats"). Produced by {@link PgOutputDecoder}.
 */
public sealed interface PgOutputMessage {

  /** 'B': start of a transaction. {@code finalLsn} is the LSN of its commit record. */
  record Begin(long finalLsn, Instant commitTime, int xid) implements PgOutputMessage {}

  /** 'C': end of a transaction; {@code endLsn} is where the next transaction starts. */
  record Commit(int flags, long commitLsn, long endLsn, Instant commitTime)
      implements PgOutputMessage {}

  /** 'O': origin of the transaction (replication from another node). */
  record Origin(long commitLsn, String name) implements PgOutputMessage {}

  /** 'R': describes a table; sent before the first change of that table in a session. */
  record Relation(
      int oid, String namespace, String name, char replicaIdentity, List<Column> columns)
      implements PgOutputMessage {

    public Relation {
      columns = List.copyOf(columns);
    }
  }

  /** A column of a {@link Relation}; {@code key} when it is part of the replica identity. */
  record Column(boolean key, String name, int typeOid, int typeModifier) {}

  /** 'Y': describes a data type. */
  record Type(int oid, String namespace, String name) implements PgOutputMessage {}

  /** 'I': a new row. */
  record Insert(int relationOid, TupleData newTuple) implements PgOutputMessage {}

  /**
   * 'U': a changed row. {@code oldTuple} is present with REPLICA IDENTITY FULL ('O') or when a key
   * column changed ('K'); {@code oldKind} is 'O', 'K' or 0 when absent.
   */
  record Update(int relationOid, char oldKind, TupleData oldTuple, TupleData newTuple)
      implements PgOutputMessage {}

  /** 'D': a removed row; {@code oldKind} is 'O' (full row) or 'K' (key columns only). */
  record Delete(int relationOid, char oldKind, TupleData oldTuple) implements PgOutputMessage {}

  /** 'T': truncated tables. Option bit 1 = CASCADE, bit 2 = RESTART IDENTITY. */
  record Truncate(int options, List<Integer> relationOids) implements PgOutputMessage {

    public Truncate {
      relationOids = List.copyOf(relationOids);
    }
  }
}
