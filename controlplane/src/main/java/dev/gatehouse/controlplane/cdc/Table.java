package dev.gatehouse.controlplane.cdc;

import java.util.Arrays;
import java.util.Optional;

/** The control-plane tables that the CDC stream carries, with their SQL names. */
public enum Table {
  ACCOUNTS("accounts"),
  ACTORS("actors"),
  GROUPS("groups"),
  MEMBERSHIPS("memberships"),
  CLIENTS("clients"),
  TOKENS("tokens"),
  SITES("sites"),
  GATEWAYS("gateways"),
  RESOURCES("resources"),
  RESOURCE_CONNECTIONS("resource_connections"),
  POLICIES("policies"),
  FLOWS("flows");

  private final String sqlName;

  Table(String sqlName) {
    this.sqlName = sqlName;
  }

  public String sqlName() {
    return sqlName;
  }

  public static Optional<Table> bySqlName(String name) {
    return Arrays.stream(values()).filter(t -> t.sqlName.equals(name)).findFirst();
  }
}
