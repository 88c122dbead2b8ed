package dev.gatehouse.controlplane.testing;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.function.Consumer;

/**
 * The PostgreSQL that one module's ITs run against, set up once (migrations, clean-up of earlier
 * runs). An unreachable database fails the test with a message naming the script that starts one;
 * ITs never skip silently. Shared with the API node's ITs through the control plane's test-jar.
 */
public final class TestPostgres {
  private final DatabaseConfig db;
  private final Consumer<DatabaseConfig> setUp;
  private boolean setUpDone;

  /**
   * @param setUp runs on the first {@link #migrated()} that finds the database reachable; throws
   *     (an {@link AssertionError}, say) to fail the test, and runs again on the next call then
   */
  public TestPostgres(DatabaseConfig db, Consumer<DatabaseConfig> setUp) {
    this.db = db;
    this.setUp = setUp;
  }

  /** Checks the database answers within 5 s, sets it up the first time, and returns it. */
  public synchronized DatabaseConfig migrated() {
    try (Connection c = db.connect()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is unreachable at "
              + db.url()
              + " as "
              + db.user()
              + " ("
              + e.getMessage()
              + "). Start it with: e2e/scripts/postgres.sh start (or set GATEHOUSE_PG_URL,"
              + " GATEHOUSE_PG_USER, GATEHOUSE_PG_PASSWORD).",
          e);
    }
    if (!setUpDone) {
      setUp.accept(db);
      setUpDone = true;
    }
    return db;
  }
}
