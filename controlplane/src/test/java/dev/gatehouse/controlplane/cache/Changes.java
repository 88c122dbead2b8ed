package dev.gatehouse.controlplane.cache;

import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Change.Op;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import java.time.Instant;
import java.util.Map;

/** Builds changes with increasing stream positions, one transaction per change. */
final class Changes {

  private static final Map<Class<? extends Row>, Table> TABLES =
      Map.ofEntries(
          Map.entry(Row.Account.class, Table.ACCOUNTS),
          Map.entry(Row.Actor.class, Table.ACTORS),
          Map.entry(Row.Group.class, Table.GROUPS),
          Map.entry(Row.Membership.class, Table.MEMBERSHIPS),
          Map.entry(Row.Client.class, Table.CLIENTS),
          Map.entry(Row.Token.class, Table.TOKENS),
          Map.entry(Row.Site.class, Table.SITES),
          Map.entry(Row.Gateway.class, Table.GATEWAYS),
          Map.entry(Row.Resource.class, Table.RESOURCES),
          Map.entry(Row.ResourceConnection.class, Table.RESOURCE_CONNECTIONS),
          Map.entry(Row.Policy.class, Table.POLICIES),
          Map.entry(Row.Flow.class, Table.FLOWS));

  private long lsn = 0x100;

  <R extends Row> Change<R> insert(R row) {
    return change(Op.INSERT, null, row);
  }

  <R extends Row> Change<R> update(R old, R row) {
    return change(Op.UPDATE, old, row);
  }

  <R extends Row> Change<R> delete(R old) {
    return change(Op.DELETE, old, null);
  }

  <R extends Row> Change<R> change(Op op, R old, R row) {
    lsn += 0x30;
    Table table = TABLES.get((old != null ? old : row).getClass());
    return new Change<>(table, op, lsn - 0x10, lsn, Instant.EPOCH, old, row);
  }
}
