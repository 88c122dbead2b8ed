package dev.gatehouse.controlplane.cache;

/** Which IP families a resource is reached over, as stored in {@code resources.ip_stack}. */
public enum IpStack {
  DUAL,
  IPV4_ONLY,
  IPV6_ONLY;

  public static IpStack fromSql(String text) {
    return text == null ? DUAL : valueOf(text.toUpperCase(java.util.Locale.ROOT));
  }

  public String sqlName() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
