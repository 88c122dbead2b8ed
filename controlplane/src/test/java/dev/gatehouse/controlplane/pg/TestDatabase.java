package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.controlplane.testing.TestPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The PostgreSQL that the control plane's ITs run against ({@link
 * DatabaseConfig#fromEnvironment()}), migrated once, with leftover test slots dropped.
 */
final class TestDatabase {

  static final DatabaseConfig DB = DatabaseConfig.fromEnvironment();
  private static final TestPostgres POSTGRES =
      new TestPostgres(
          DB,
          db -> {
            Migrations.migrate(db);
            dropLeftoverTestSlots();
          });

  private TestDatabase() {}

  static DatabaseConfig migrated() {
    return POSTGRES.migrated();
  }

  /** Slots of earlier IT runs that died before cleaning up would retain WAL forever. */
  private static void dropLeftoverTestSlots() {
    try (Connection c = DB.connect();
        var st = c.createStatement()) {
      st.execute(
          "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots"
              + " WHERE slot_name LIKE 'it\\_slot\\_%' AND NOT active");
      try (var rs =
          st.executeQuery(
              "SELECT pubname FROM pg_publication WHERE pubname LIKE 'it\\_pub\\_%' AND NOT EXISTS"
                  + " (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'it_slot_' || substr(pubname, 8))")) {
        List<String> names = new java.util.ArrayList<>();
        while (rs.next()) {
          names.add(rs.getString(1));
        }
        for (String name : names) {
          st.execute("DROP PUBLICATION IF EXISTS " + name);
        }
      }
    } catch (SQLException e) {
      throw new AssertionError("cannot clean up leftover test slots", e);
    }
  }

  /** A replication source on a slot and publication unique to one test. */
  static PgReplicationSource uniqueSource() {
    String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    return new PgReplicationSource(
        DB, "it_slot_" + suffix, "it_pub_" + suffix, List.of(Table.values()));
  }

  /** Runs {@code e2e/scripts/postgres.sh <command>} from the repository root. */
  static void script(String command) throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("e2e/scripts/postgres.sh"))) {
      root = root.getParent();
    }
    if (root == null) {
      throw new AssertionError(
          "e2e/scripts/postgres.sh not found above " + System.getProperty("user.dir"));
    }
    Process p =
        new ProcessBuilder("bash", root.resolve("e2e/scripts/postgres.sh").toString(), command)
            .inheritIO()
            .start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      throw new AssertionError("postgres.sh " + command + " failed");
    }
  }
}
