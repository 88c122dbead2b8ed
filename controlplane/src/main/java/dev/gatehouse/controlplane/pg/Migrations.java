package dev.gatehouse.controlplane.pg;

import org.flywaydb.core.Flyway;

/** Applies the control-plane schema (Flyway, {@code classpath:db/gatehouse}). */
public final class Migrations {

  private Migrations() {}

  /** Migrates the database to the latest schema; safe to call from every replica at start. */
  public static void migrate(DatabaseConfig db) {
    Flyway.configure()
        .dataSource(db.url(), db.user(), db.password())
        .locations("classpath:db/gatehouse")
        .table("gatehouse_schema_history")
        .load()
        .migrate();
  }
}
