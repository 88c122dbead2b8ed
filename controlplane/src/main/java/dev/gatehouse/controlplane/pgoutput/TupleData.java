package dev.gatehouse.controlplane.pgoutput;

import java.util.Arrays;
import java.util.List;

/**
 * The column values of one row, in relation column order. Each value is a {@link Datum}.
 *
 * @param values one entry per column of the relation
 */
public record TupleData(List<Datum> values) {

  public TupleData {
    values = List.copyOf(values);
  }

  /** A tuple of text values; {@code null} entries become {@link Datum.Null}. */
  public static TupleData ofText(String... texts) {
    return new TupleData(
        Arrays.stream(texts)
            .map(t -> t == null ? (Datum) Datum.Null.INSTANCE : new Datum.Text(t))
            .toList());
  }

  public int size() {
    return values.size();
  }

  /** One column value as sent by pgoutput. */
  public sealed interface Datum {

    /** 'n': SQL NULL. */
    enum Null implements Datum {
      INSTANCE
    }

    /** 'u': an unchanged TOASTed value whose content was not sent. */
    enum UnchangedToast implements Datum {
      INSTANCE
    }

    /** 't': the value in PostgreSQL's text output format. */
    record Text(String value) implements Datum {}

    /** 'b': the value in binary format (only with the {@code binary} option). */
    record Binary(byte[] value) implements Datum {

      @Override
      public boolean equals(Object o) {
        return o instanceof Binary b && Arrays.equals(value, b.value);
      }

      @Override
      public int hashCode() {
        return Arrays.hashCode(value);
      }

      @Override
      public String toString() {
        return "Binary[" + value.length + " bytes]";
      }
    }
  }
}
