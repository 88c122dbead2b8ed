package dev.gatehouse.apinode.it;

import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The PostgreSQL that ITs run against ({@link DatabaseConfig#fromEnvironment()}), migrated once.
 * Unreachable means a failed test with a message naming the script that starts it — never a skip.
 */
final class TestDatabase {

  static final DatabaseConfig DB = DatabaseConfig.fromEnvironment();
  private static boolean migrated;

  private TestDatabase() {}

  static synchronized DatabaseConfig migrated() {
    try (Connection c = DB.connect()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is unreachable at "
              + DB.url()
              + " as "
              + DB.user()
              + " ("
              + e.getMessage()
              + "). Start it with: e2e/scripts/postgres.sh start (or set GATEHOUSE_PG_URL,"
              + " GATEHOUSE_PG_USER, GATEHOUSE_PG_PASSWORD).",
          e);
    }
    if (!migrated) {
      ApiSchema.migrate(DB);
      try (Connection c = DB.connect();
          var st = c.createStatement()) {
        // Slots of API nodes of earlier runs that died before stop() would retain WAL forever.
        st.execute(
            "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
                + " WHERE slot_name LIKE 'gatehouse\\_apinode\\_%' AND NOT active");
      } catch (SQLException e) {
        throw new AssertionError("cannot clean up leftover API node slots", e);
      }
      migrated = true;
    }
    return DB;
  }
}
