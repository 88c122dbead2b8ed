package dev.gatehouse.controlplane.pgoutput;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Begin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Commit;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Delete;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Insert;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Origin;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Truncate;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Type;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Update;
import dev.gatehouse.controlplane.pgoutput.TupleData.Datum;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;

/**
 * Encodes {@link PgOutputMessage}s into pgoutput bytes, the inverse of {@link PgOutputDecoder}.
 * PostgreSQL is the real producer; this exists for the in-memory replication stream and for tests.
 * Pure and stateless.
 */
public final class PgOutputEncoder {

  /** Returns a fresh array holding the encoded message. */
  public byte[] encode(PgOutputMessage message) {
    Writer out = new Writer();
    switch (message) {
      case Begin b -> {
        out.u8('B');
        out.i64(b.finalLsn());
        out.timestamp(b.commitTime());
        out.i32(b.xid());
      }
      case Commit c -> {
        out.u8('C');
        out.u8(c.flags());
        out.i64(c.commitLsn());
        out.i64(c.endLsn());
        out.timestamp(c.commitTime());
      }
      case Origin o -> {
        out.u8('O');
        out.i64(o.commitLsn());
        out.string(o.name());
      }
      case Relation r -> {
        out.u8('R');
        out.i32(r.oid());
        out.string(r.namespace());
        out.string(r.name());
        out.u8(r.replicaIdentity());
        out.i16(r.columns().size());
        for (Column c : r.columns()) {
          out.u8(c.key() ? 1 : 0);
          out.string(c.name());
          out.i32(c.typeOid());
          out.i32(c.typeModifier());
        }
      }
      case Type t -> {
        out.u8('Y');
        out.i32(t.oid());
        out.string(t.namespace());
        out.string(t.name());
      }
      case Insert i -> {
        out.u8('I');
        out.i32(i.relationOid());
        out.u8('N');
        out.tuple(i.newTuple());
      }
      case Update u -> {
        out.u8('U');
        out.i32(u.relationOid());
        if (u.oldTuple() != null) {
          out.u8(u.oldKind());
          out.tuple(u.oldTuple());
        }
        out.u8('N');
        out.tuple(u.newTuple());
      }
      case Delete d -> {
        out.u8('D');
        out.i32(d.relationOid());
        out.u8(d.oldKind());
        out.tuple(d.oldTuple());
      }
      case Truncate t -> {
        out.u8('T');
        out.i32(t.relationOids().size());
        out.u8(t.options());
        for (int oid : t.relationOids()) {
          out.i32(oid);
        }
      }
    }
    return out.bytes.toByteArray();
  }

  private static final class Writer {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream(64);

    void u8(int v) {
      bytes.write(v);
    }

    void i16(int v) {
      bytes.write(v >>> 8);
      bytes.write(v);
    }

    void i32(int v) {
      i16(v >>> 16);
      i16(v);
    }

    void i64(long v) {
      i32((int) (v >>> 32));
      i32((int) v);
    }

    void string(String s) {
      bytes.writeBytes(s.getBytes(StandardCharsets.UTF_8));
      bytes.write(0);
    }

    void timestamp(Instant t) {
      long micros =
          Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000L), t.getNano() / 1_000L);
      i64(micros - PgOutputDecoder.PG_EPOCH_OFFSET_MICROS);
    }

    void tuple(TupleData tuple) {
      i16(tuple.size());
      for (Datum d : tuple.values()) {
        switch (d) {
          case Datum.Null n -> u8('n');
          case Datum.UnchangedToast u -> u8('u');
          case Datum.Text t -> {
            byte[] b = t.value().getBytes(StandardCharsets.UTF_8);
            u8('t');
            i32(b.length);
            bytes.writeBytes(b);
          }
          case Datum.Binary b -> {
            u8('b');
            i32(b.value().length);
            bytes.writeBytes(b.value());
          }
        }
      }
    }
  }
}
