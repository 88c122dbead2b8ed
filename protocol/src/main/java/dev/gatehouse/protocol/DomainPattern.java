package dev.gatehouse.protocol;

import java.util.Locale;

/**
 * The address of a {@code dns} resource as a pattern over names: an exact name ({@code
 * db.internal}), {@code *.example.com} (exactly one label under example.com) or {@code
 * **.example.com} (example.com itself and any depth under it), as the operator's {@code
 * ResourceAddress} accepts them. Comparison ignores case and a trailing dot. Pure and total: any
 * input gives an answer, never an exception.
 */
public final class DomainPattern {

  private DomainPattern() {}

  /** Lowercase, without a trailing dot; null becomes empty. */
  public static String normalize(String name) {
    if (name == null) {
      return "";
    }
    String n = name.toLowerCase(Locale.ROOT);
    return n.endsWith(".") ? n.substring(0, n.length() - 1) : n;
  }

  /** Whether {@code name} falls under the resource address {@code pattern}. */
  public static boolean matches(String pattern, String name) {
    String p = normalize(pattern);
    String n = normalize(name);
    if (p.isEmpty() || n.isEmpty()) {
      return false;
    }
    if (p.startsWith("**.")) {
      String base = p.substring(3);
      return n.equals(base) || n.endsWith("." + base);
    }
    if (p.startsWith("*.")) {
      String base = p.substring(2);
      if (!n.endsWith("." + base)) {
        return false;
      }
      String label = n.substring(0, n.length() - base.length() - 1);
      return !label.isEmpty() && label.indexOf('.') < 0;
    }
    return n.equals(p);
  }

  /** Whether the pattern is a wildcard (one resource, many names). */
  public static boolean isWildcard(String pattern) {
    String p = normalize(pattern);
    return p.startsWith("*.") || p.startsWith("**.");
  }
}
