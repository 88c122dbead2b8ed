package dev.gatehouse.controlplane.cache;

/** The kinds of resources, as stored in {@code resources.type}. */
public enum ResourceType {
  IP,
  CIDR,
  DNS,
  INTERNET;

  public static ResourceType fromSql(String text) {
    return valueOf(text.toUpperCase(java.util.Locale.ROOT));
  }

  public String sqlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
