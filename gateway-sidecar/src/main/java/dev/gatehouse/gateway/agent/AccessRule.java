package dev.gatehouse.gateway.agent;

import dev.gatehouse.protocol.Filter;
import dev.gatehouse.tunnel.filter.FilterRule;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * A client may send packets to {@code destination} that {@code rules} permit (see {@link
 * dev.gatehouse.tunnel.filter.PeerFilter}); one rule per resource the client was authorized for.
 *
 * @param translatedOnly the rule of a dns resource's name: {@code destination} is the real address
 *     a proxy address stands for, and only packets sent to the proxy address (and translated) may
 *     use it — a grant for a name is not a grant for whatever address the name resolves to
 */
public record AccessRule(
    UUID resourceId,
    dev.gatehouse.tunnel.wireguard.IpPrefix destination,
    List<FilterRule> rules,
    boolean translatedOnly) {

  public AccessRule {
    rules = List.copyOf(rules);
  }

  /** The rule of an ip or cidr resource: packets sent straight to {@code destination}. */
  public AccessRule(
      UUID resourceId,
      dev.gatehouse.tunnel.wireguard.IpPrefix destination,
      List<FilterRule> rules) {
    this(resourceId, destination, rules, false);
  }

  /**
   * The tunnel's filter rules for a resource's protocol filters: none means everything; {@code
   * tcp}/{@code udp} become port ranges, {@code icmp} permits echo. Unknown protocols permit
   * nothing.
   */
  public static List<FilterRule> rulesOf(List<Filter> filters) {
    if (filters.isEmpty()) {
      return List.of(new FilterRule.PermitAll());
    }
    List<FilterRule> rules = new ArrayList<>();
    for (Filter f : filters) {
      switch (f.protocol().toLowerCase(Locale.ROOT)) {
        case "tcp" ->
            rules.add(
                new FilterRule.PermitPorts(
                    FilterRule.Protocol.TCP, f.portRangeStart(), effectiveEnd(f)));
        case "udp" ->
            rules.add(
                new FilterRule.PermitPorts(
                    FilterRule.Protocol.UDP, f.portRangeStart(), effectiveEnd(f)));
        case "icmp" -> rules.add(new FilterRule.PermitIcmpEcho());
        default -> {}
      }
    }
    return rules.isEmpty() ? List.of(new FilterRule.DenyAll()) : rules;
  }

  /** A filter {@code tcp 0-0} means every port (Firezone sends no range for "all ports"). */
  private static int effectiveEnd(Filter f) {
    return f.portRangeStart() == 0 && f.portRangeEnd() == 0 ? 65535 : f.portRangeEnd();
  }
}
