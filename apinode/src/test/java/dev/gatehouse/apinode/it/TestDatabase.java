package dev.gatehouse.apinode.it;

import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.testing.TestPostgres;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The PostgreSQL that the API node's ITs run against ({@link DatabaseConfig#fromEnvironment()}),
 * migrated once, with slots of earlier runs' API nodes dropped.
 */
final class TestDatabase {

  static final DatabaseConfig DB = DatabaseConfig.fromEnvironment();
  private static final TestPostgres POSTGRES =
      new TestPostgres(
          DB,
          db -> {
            ApiSchema.migrate(db);
            dropLeftoverApiNodeSlots(db);
          });

  private TestDatabase() {}

  static DatabaseConfig migrated() {
    return POSTGRES.migrated();
  }

  /** Slots of API nodes of earlier runs that died before stop() would retain WAL forever. */
  private static void dropLeftoverApiNodeSlots(DatabaseConfig db) {
    try (Connection c = db.connect();
        var st = c.createStatement()) {
      st.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE slot_name LIKE 'gatehouse\\_apinode\\_%' AND NOT active");
    } catch (SQLException e) {
      throw new AssertionError("cannot clean up leftover API node slots", e);
    }
  }
}
