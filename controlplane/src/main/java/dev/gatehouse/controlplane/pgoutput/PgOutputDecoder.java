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
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes pgoutput protocol version 1 messages: bytes in, one {@link PgOutputMessage} out. Pure and
 * stateless: no I/O, no logging, thread-safe.
 *
 * <p>Every malformed input yields {@link PgOutputFormatException} and nothing else: counts and
 * lengths are checked against the remaining bytes before anything is allocated, so hostile input
 * cannot make it allocate more than the input's size.
 */
public final class PgOutputDecoder {

  /** Microseconds between the Unix epoch and PostgreSQL's epoch, 2000-01-01T00:00:00Z. */
  static final long PG_EPOCH_OFFSET_MICROS = 946_684_800_000_000L;

  /**
   * Decodes one message from {@code data}'s remaining bytes. The buffer's position is advanced; the
   * caller keeps ownership of the buffer, and the result holds no reference to it.
   *
   * @throws PgOutputFormatException if the bytes are not exactly one well-formed message
   */
  public PgOutputMessage decode(ByteBuffer data) {
    Reader in = new Reader(data);
    char tag = (char) (in.u8());
    PgOutputMessage message =
        switch (tag) {
          case 'B' -> new Begin(in.i64(), in.timestamp(), in.i32());
          case 'C' -> new Commit(in.u8(), in.i64(), in.i64(), in.timestamp());
          case 'O' -> new Origin(in.i64(), in.string());
          case 'R' -> relation(in);
          case 'Y' -> new Type(in.i32(), in.string(), in.string());
          case 'I' -> insert(in);
          case 'U' -> update(in);
          case 'D' -> delete(in);
          case 'T' -> truncate(in);
          default -> throw new PgOutputFormatException("unknown message type 0x" + hex(tag));
        };
    if (in.buf.hasRemaining()) {
      throw new PgOutputFormatException(
          in.buf.remaining() + " trailing bytes after '" + tag + "' message");
    }
    return message;
  }

  /** Decodes a whole byte array; see {@link #decode(ByteBuffer)}. */
  public PgOutputMessage decode(byte[] data) {
    return decode(ByteBuffer.wrap(data));
  }

  private static Relation relation(Reader in) {
    int oid = in.i32();
    String namespace = in.string();
    String name = in.string();
    char identity = (char) in.u8();
    if ("dnfi".indexOf(identity) < 0) {
      throw new PgOutputFormatException("unknown replica identity 0x" + hex(identity));
    }
    int count = in.count(in.i16(), 10);
    List<Column> columns = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      int flags = in.u8();
      columns.add(new Column((flags & 1) != 0, in.string(), in.i32(), in.i32()));
    }
    return new Relation(oid, namespace, name, identity, columns);
  }

  private static Insert insert(Reader in) {
    int oid = in.i32();
    in.expect('N');
    return new Insert(oid, tuple(in));
  }

  private static Update update(Reader in) {
    int oid = in.i32();
    char kind = (char) in.u8();
    TupleData old = null;
    char oldKind = 0;
    if (kind == 'K' || kind == 'O') {
      oldKind = kind;
      old = tuple(in);
      kind = (char) in.u8();
    }
    if (kind != 'N') {
      throw new PgOutputFormatException("update: expected 'N', got 0x" + hex(kind));
    }
    return new Update(oid, oldKind, old, tuple(in));
  }

  private static Delete delete(Reader in) {
    int oid = in.i32();
    char kind = (char) in.u8();
    if (kind != 'K' && kind != 'O') {
      throw new PgOutputFormatException("delete: expected 'K' or 'O', got 0x" + hex(kind));
    }
    return new Delete(oid, kind, tuple(in));
  }

  private static Truncate truncate(Reader in) {
    int count = in.count(in.i32(), 4);
    int options = in.u8();
    List<Integer> oids = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      oids.add(in.i32());
    }
    return new Truncate(options, oids);
  }

  private static TupleData tuple(Reader in) {
    int count = in.count(in.i16(), 1);
    List<Datum> values = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      char kind = (char) in.u8();
      values.add(
          switch (kind) {
            case 'n' -> Datum.Null.INSTANCE;
            case 'u' -> Datum.UnchangedToast.INSTANCE;
            case 't' -> new Datum.Text(in.utf8(in.count(in.i32(), 1)));
            case 'b' -> new Datum.Binary(in.bytes(in.count(in.i32(), 1)));
            default -> throw new PgOutputFormatException("unknown tuple value kind 0x" + hex(kind));
          });
    }
    return new TupleData(values);
  }

  private static String hex(char c) {
    return Integer.toHexString(c);
  }

  /** Bounds-checked big-endian reads over a buffer. */
  private static final class Reader {
    private final ByteBuffer buf;

    Reader(ByteBuffer buf) {
      this.buf = buf;
    }

    private void need(int n) {
      if (buf.remaining() < n) {
        throw new PgOutputFormatException(
            "truncated message: need " + n + " bytes, have " + buf.remaining());
      }
    }

    int u8() {
      need(1);
      return buf.get() & 0xff;
    }

    int i16() {
      need(2);
      return buf.getShort();
    }

    int i32() {
      need(4);
      return buf.getInt();
    }

    long i64() {
      need(8);
      return buf.getLong();
    }

    void expect(char c) {
      int got = u8();
      if (got != c) {
        throw new PgOutputFormatException(
            "expected '" + c + "', got 0x" + Integer.toHexString(got));
      }
    }

    /**
     * Validates a count read from the wire: not negative, and each element needs at least {@code
     * minBytesEach} bytes, so a count larger than the remaining input is refused.
     */
    int count(int n, int minBytesEach) {
      if (n < 0) {
        throw new PgOutputFormatException("negative count " + n);
      }
      if ((long) n * minBytesEach > buf.remaining()) {
        throw new PgOutputFormatException(
            "count " + n + " exceeds the " + buf.remaining() + " remaining bytes");
      }
      return n;
    }

    byte[] bytes(int n) {
      need(n);
      byte[] out = new byte[n];
      buf.get(out);
      return out;
    }

    String utf8(int n) {
      need(n);
      int start = buf.position();
      boolean ascii = true;
      for (int i = start; i < start + n && ascii; i++) {
        ascii = buf.get(i) >= 0;
      }
      if (ascii) { // the common case (uuids, timestamps, JSON): no decoder needed
        byte[] bytes = new byte[n];
        buf.get(bytes);
        return new String(bytes, StandardCharsets.US_ASCII);
      }
      ByteBuffer slice = buf.slice(start, n);
      buf.position(start + n);
      try {
        return StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT)
            .decode(slice)
            .toString();
      } catch (CharacterCodingException e) {
        throw new PgOutputFormatException("invalid UTF-8 in text value");
      }
    }

    /** A NUL-terminated UTF-8 string. */
    String string() {
      int start = buf.position();
      int end = start;
      while (end < buf.limit() && buf.get(end) != 0) {
        end++;
      }
      if (end == buf.limit()) {
        throw new PgOutputFormatException("unterminated string");
      }
      String s = utf8(end - start);
      buf.get(); // the NUL
      return s;
    }

    Instant timestamp() {
      long micros = i64();
      // Saturating arithmetic: hostile values must not overflow into an exception.
      long unixMicros =
          micros > Long.MAX_VALUE - PG_EPOCH_OFFSET_MICROS
              ? Long.MAX_VALUE
              : micros + PG_EPOCH_OFFSET_MICROS;
      return Instant.ofEpochSecond(
          Math.floorDiv(unixMicros, 1_000_000L), Math.floorMod(unixMicros, 1_000_000L) * 1_000L);
    }
  }
}
