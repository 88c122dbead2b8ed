package dev.gatehouse.controlplane.cdc;

import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Relation;
import dev.gatehouse.controlplane.pgoutput.TupleData;
import dev.gatehouse.controlplane.pgoutput.TupleData.Datum;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Turns a pgoutput tuple (PostgreSQL text output format) of a known relation into a typed {@link
 * Row}. Pure. Columns are found by name, so column order and extra columns don't matter. Throws
 * {@link ChangeMappingException} when a value cannot be parsed or a needed column is missing.
 */
final class RowMapper {

  private final Table table;
  private final Map<String, Integer> columnIndex = new HashMap<>();

  RowMapper(Table table, Relation relation) {
    this.table = table;
    List<? extends Object> columns = relation.columns();
    for (int i = 0; i < columns.size(); i++) {
      columnIndex.put(relation.columns().get(i).name(), i);
    }
  }

  Table table() {
    return table;
  }

  /**
   * Maps a tuple; {@code previous} (may be null) supplies values that pgoutput marked as unchanged
   * TOAST.
   */
  Row map(TupleData tuple, TupleData previous) {
    Fields f = new Fields(tuple, previous);
    return switch (table) {
      case ACCOUNTS ->
          new Row.Account(
              f.uuid("id"),
              f.text("name"),
              f.text("slug"),
              f.time("disabled_at"),
              f.time("deleted_at"));
      case ACTORS ->
          new Row.Actor(
              f.uuid("id"),
              f.uuid("account_id"),
              f.text("name"),
              f.text("type"),
              f.time("disabled_at"),
              f.time("deleted_at"));
      case GROUPS ->
          new Row.Group(f.uuid("id"), f.uuid("account_id"), f.text("name"), f.time("deleted_at"));
      case MEMBERSHIPS ->
          new Row.Membership(
              f.uuid("id"), f.uuid("account_id"), f.uuid("actor_id"), f.uuid("group_id"));
      case CLIENTS ->
          new Row.Client(
              f.uuid("id"),
              f.uuid("account_id"),
              f.uuid("actor_id"),
              f.text("name"),
              f.text("public_key"),
              f.text("last_seen_version"),
              f.text("last_seen_remote_ip"),
              f.time("verified_at"),
              f.time("deleted_at"));
      case TOKENS ->
          new Row.Token(
              f.uuid("id"),
              f.uuid("account_id"),
              f.text("type"),
              f.uuid("actor_id"),
              f.uuid("site_id"),
              f.bytea("secret_hash"),
              f.time("expires_at"),
              f.time("deleted_at"));
      case SITES ->
          new Row.Site(f.uuid("id"), f.uuid("account_id"), f.text("name"), f.time("deleted_at"));
      case GATEWAYS ->
          new Row.Gateway(
              f.uuid("id"),
              f.uuid("account_id"),
              f.uuid("site_id"),
              f.text("name"),
              f.text("public_key"),
              f.text("last_seen_version"),
              f.time("last_seen_at"),
              f.time("deleted_at"));
      case RESOURCES ->
          new Row.Resource(
              f.uuid("id"),
              f.uuid("account_id"),
              f.text("name"),
              f.text("type"),
              f.text("address"),
              f.text("ip_stack"),
              f.text("filters"),
              f.time("deleted_at"));
      case RESOURCE_CONNECTIONS ->
          new Row.ResourceConnection(
              f.uuid("resource_id"), f.uuid("site_id"), f.uuid("account_id"));
      case POLICIES ->
          new Row.Policy(
              f.uuid("id"),
              f.uuid("account_id"),
              f.uuid("group_id"),
              f.uuid("resource_id"),
              f.text("conditions"),
              f.time("expires_at"),
              f.time("disabled_at"),
              f.time("deleted_at"));
      case FLOWS ->
          new Row.Flow(
              f.uuid("id"),
              f.uuid("account_id"),
              f.uuid("client_id"),
              f.uuid("gateway_id"),
              f.uuid("resource_id"),
              f.uuid("policy_id"),
              f.time("expires_at"));
    };
  }

  /** Parses PostgreSQL's ISO timestamptz output, e.g. {@code 2026-11-28 18:25:48.123+00}. */
  static Instant parseTimestamp(String text) {
    if (text.equals("infinity")) {
      return Instant.MAX;
    }
    if (text.equals("-infinity")) {
      return Instant.MIN;
    }
    Instant fast = parseCanonicalTimestamp(text);
    if (fast != null) {
      return fast;
    }
    String iso = text.replace(' ', 'T');
    int sign = Math.max(iso.lastIndexOf('+'), iso.lastIndexOf('-'));
    if (sign > 10 && iso.length() - sign == 3) {
      iso = iso + ":00";
    }
    try {
      return OffsetDateTime.parse(iso, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
    } catch (DateTimeParseException e) {
      throw new ChangeMappingException("not a timestamptz: " + text);
    }
  }

  /**
   * Fast path for PostgreSQL's usual output, {@code yyyy-MM-dd HH:mm:ss[.f{1,6}]±HH[:MM]}; returns
   * null for anything else (the caller then uses the general parser).
   */
  static Instant parseCanonicalTimestamp(String t) {
    int n = t.length();
    if (n < 22
        || t.charAt(4) != '-'
        || t.charAt(7) != '-'
        || t.charAt(10) != ' '
        || t.charAt(13) != ':'
        || t.charAt(16) != ':') {
      return null;
    }
    int year = digits(t, 0, 4);
    int month = digits(t, 5, 2);
    int day = digits(t, 8, 2);
    int hour = digits(t, 11, 2);
    int minute = digits(t, 14, 2);
    int second = digits(t, 17, 2);
    int i = 19;
    int nanos = 0;
    if (i < n && t.charAt(i) == '.') {
      int start = ++i;
      while (i < n && i - start < 9 && Character.isDigit(t.charAt(i))) {
        nanos = nanos * 10 + (t.charAt(i) - '0');
        i++;
      }
      if (i == start) {
        return null;
      }
      for (int k = i - start; k < 9; k++) {
        nanos *= 10;
      }
    }
    if (i >= n || (t.charAt(i) != '+' && t.charAt(i) != '-')) {
      return null;
    }
    int sign = t.charAt(i) == '-' ? -1 : 1;
    int offsetHours = digits(t, i + 1, 2);
    int offsetMinutes = 0;
    if (n == i + 6 && t.charAt(i + 3) == ':') {
      offsetMinutes = digits(t, i + 4, 2);
    } else if (n != i + 3) {
      return null;
    }
    if ((year | month | day | hour | minute | second | offsetHours | offsetMinutes) < 0
        || month < 1
        || month > 12
        || day < 1
        || day > 31
        || hour > 23
        || minute > 59
        || second > 59
        || offsetHours > 15
        || offsetMinutes > 59) {
      return null;
    }
    try {
      long epochDay = java.time.LocalDate.of(year, month, day).toEpochDay();
      long seconds =
          epochDay * 86_400
              + hour * 3_600L
              + minute * 60L
              + second
              - sign * (offsetHours * 3_600L + offsetMinutes * 60L);
      return Instant.ofEpochSecond(seconds, nanos);
    } catch (java.time.DateTimeException e) {
      return null; // e.g. February 30: let the general parser report it
    }
  }

  /** The decimal value of {@code count} digits at {@code from}, or -1. */
  private static int digits(String t, int from, int count) {
    if (from + count > t.length()) {
      return -1;
    }
    int v = 0;
    for (int i = from; i < from + count; i++) {
      char c = t.charAt(i);
      if (c < '0' || c > '9') {
        return -1;
      }
      v = v * 10 + (c - '0');
    }
    return v;
  }

  private final class Fields {
    private final TupleData tuple;
    private final TupleData previous;

    Fields(TupleData tuple, TupleData previous) {
      this.tuple = tuple;
      this.previous = previous;
    }

    String text(String column) {
      Integer i = columnIndex.get(column);
      if (i == null || i >= tuple.size()) {
        throw new ChangeMappingException(table.sqlName() + ": no column " + column);
      }
      Datum d = tuple.values().get(i);
      if (d instanceof Datum.UnchangedToast && previous != null && i < previous.size()) {
        d = previous.values().get(i);
      }
      return switch (d) {
        case Datum.Null n -> null;
        case Datum.Text t -> t.value();
        case Datum.UnchangedToast u ->
            throw new ChangeMappingException(
                table.sqlName() + "." + column + ": unchanged TOAST value without an old row");
        case Datum.Binary b ->
            throw new ChangeMappingException(table.sqlName() + "." + column + ": binary value");
      };
    }

    UUID uuid(String column) {
      String s = text(column);
      if (s == null) {
        return null;
      }
      try {
        return UUID.fromString(s);
      } catch (IllegalArgumentException e) {
        throw new ChangeMappingException(table.sqlName() + "." + column + ": not a uuid: " + s);
      }
    }

    Instant time(String column) {
      String s = text(column);
      return s == null ? null : parseTimestamp(s);
    }

    /** bytea in hex output format ({@code \x0a1b...}), returned as lowercase hex digits. */
    String bytea(String column) {
      String s = text(column);
      if (s == null) {
        return null;
      }
      if (!s.startsWith("\\x")) {
        throw new ChangeMappingException(table.sqlName() + "." + column + ": not hex bytea");
      }
      return s.substring(2);
    }
  }
}
