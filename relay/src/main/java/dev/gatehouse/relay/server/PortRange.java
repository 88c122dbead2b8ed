package dev.gatehouse.relay.server;

import java.util.random.RandomGenerator;

/**
 * The UDP ports relayed sockets are bound from ({@code 49152-65535} by default, the IANA dynamic
 * range RFC 8656 §7.2 suggests). {@code 0} means "let the kernel choose" (tests).
 */
public record PortRange(int min, int max) {
  public PortRange {
    if (!(min == 0 && max == 0) && (min < 1 || max > 65535 || min > max)) {
      throw new IllegalArgumentException("invalid port range " + min + "-" + max);
    }
  }

  /** The IANA dynamic range 49152-65535. */
  public static PortRange dynamic() {
    return new PortRange(49152, 65535);
  }

  /** Kernel-chosen ephemeral ports. */
  public static PortRange ephemeral() {
    return new PortRange(0, 0);
  }

  /** Parses {@code "MIN-MAX"}, a single port, or {@code "0"}. */
  public static PortRange parse(String text) {
    String t = text.strip();
    int dash = t.indexOf('-');
    try {
      if (dash < 0) {
        int p = Integer.parseInt(t);
        return new PortRange(p, p);
      }
      return new PortRange(
          Integer.parseInt(t.substring(0, dash).strip()),
          Integer.parseInt(t.substring(dash + 1).strip()));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("invalid port range '" + text + "', expected MIN-MAX", e);
    }
  }

  public boolean isEphemeral() {
    return min == 0;
  }

  /**
   * A port to try: random in the range (even when {@code even}), or 0 for the kernel's choice. The
   * caller retries on a port that is taken.
   */
  public int candidate(RandomGenerator random, boolean even) {
    if (isEphemeral()) {
      return 0;
    }
    int port = min + random.nextInt(max - min + 1);
    if (even && port % 2 != 0) {
      port = port - 1 >= min ? port - 1 : port + 1;
    }
    return port <= max ? port : min;
  }
}
