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
