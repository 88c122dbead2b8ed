package dev.gatehouse.apinode;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.Migrations;
import org.flywaydb.core.Flyway;

/**
 * Applies the control-plane schema, then the API node's own tables ({@code classpath:db/apinode})
 * in a separate Flyway history, so that the two never compete for version numbers.
 */
public final class ApiSchema {

  private ApiSchema() {}

  public static void migrate(DatabaseConfig db) {
    Migrations.migrate(db);
    Flyway.configure()
        .dataSource(db.url(), db.user(), db.password())
        .locations("classpath:db/apinode")
        .table("gatehouse_apinode_schema_history")
        .baselineOnMigrate(true)
        .baselineVersion("0")
        .load()
        .migrate();
  }
}
