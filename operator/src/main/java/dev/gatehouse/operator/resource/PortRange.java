package dev.gatehouse.operator.resource;

/** An inclusive range of ports, 1-65535. */
public record PortRange(int first, int last) {
  public PortRange {
    if (first < 1 || last > 65535 || first > last) {
      throw new IllegalArgumentException(
          "port range " + first + "-" + last + " must lie in 1-65535 with start <= end");
    }
  }

  /**
   * Parses {@code 443} or {@code 8000-8100}.
   *
   * @throws IllegalArgumentException with a message naming the bad text
   */
  public static PortRange parse(String text) {
    String value = text == null ? "" : text.trim();
    int dash = value.indexOf('-');
    try {
      if (dash < 0) {
        int port = Integer.parseInt(value);
        return new PortRange(port, port);
      }
      return new PortRange(
          Integer.parseInt(value.substring(0, dash)), Integer.parseInt(value.substring(dash + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + text + "' is not a port (443) or a port range (8000-8100)");
    }
  }

  @Override
  public String toString() {
    return first == last ? Integer.toString(first) : first + "-" + last;
  }
}
