package dev.gatehouse.controlplane.pg;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Properties;

/**
 * Where the control-plane database is. {@link #fromEnvironment()} reads {@code GATEHOUSE_PG_URL},
 * {@code GATEHOUSE_PG_USER} and {@code GATEHOUSE_PG_PASSWORD} (or the system properties {@code
 * gatehouse.pg.url}, {@code .user}, {@code .password}), defaulting to the local test cluster that
 * {@code e2e/scripts/postgres.sh start} runs.
 */
public record DatabaseConfig(String url, String user, String password) {

  public static final String DEFAULT_URL = "jdbc:postgresql://127.0.0.1:55432/gatehouse";

  public static DatabaseConfig fromEnvironment() {
    return new DatabaseConfig(
        setting("gatehouse.pg.url", "GATEHOUSE_PG_URL", DEFAULT_URL),
        setting("gatehouse.pg.user", "GATEHOUSE_PG_USER", "gatehouse"),
        setting("gatehouse.pg.password", "GATEHOUSE_PG_PASSWORD", "gatehouse"));
  }

  private static String setting(String property, String env, String fallback) {
    String v = System.getProperty(property);
    if (v == null || v.isBlank()) {
      v = System.getenv(env);
    }
    return v == null || v.isBlank() ? fallback : v;
  }

  /** Opens a plain connection (autocommit on). */
  public Connection connect() throws SQLException {
    return DriverManager.getConnection(url, properties());
  }

  /** Opens a logical replication connection (replication=database, simple query mode). */
  public Connection connectForReplication() throws SQLException {
    Properties p = properties();
    p.setProperty("replication", "database");
    p.setProperty("assumeMinServerVersion", "10");
    p.setProperty("preferQueryMode", "simple");
    return DriverManager.getConnection(url, p);
  }

  private Properties properties() {
    Properties p = new Properties();
    p.setProperty("user", user);
    p.setProperty("password", password);
    p.setProperty("connectTimeout", "5");
    p.setProperty("ApplicationName", "gatehouse-controlplane");
    return p;
  }

  @Override
  public String toString() {
    return "DatabaseConfig[" + url + " as " + user + "]";
  }
}
