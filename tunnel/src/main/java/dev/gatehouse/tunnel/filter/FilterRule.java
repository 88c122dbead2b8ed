package dev.gatehouse.tunnel.filter;

/**
 * One rule of a peer's filter. A packet passes when any rule of the filter permits it; a filter
 * with no rules (or only {@link DenyAll}) denies everything.
 */
public sealed interface FilterRule {

  /** Everything passes. */
  record PermitAll() implements FilterRule {}

  /** Nothing passes (explicit; the same as having no rules). */
  record DenyAll() implements FilterRule {}

  /** TCP or UDP to destination ports {@code from..to} (inclusive). */
  record PermitPorts(Protocol protocol, int from, int to) implements FilterRule {
    public PermitPorts {
      if (from < 0 || to > 65535 || from > to) {
        throw new IllegalArgumentException("bad port range " + from + "-" + to);
      }
    }
  }

  /** ICMP echo (ping) requests, v4 and v6. */
  record PermitIcmpEcho() implements FilterRule {}

  /** Transport protocols a port rule can name. */
  enum Protocol {
    TCP(6),
    UDP(17);

    final int number;

    Protocol(int number) {
      this.number = number;
    }
  }
}
