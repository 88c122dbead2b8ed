package dev.gatehouse.tunnel.filter;

import dev.gatehouse.tunnel.packet.IpPacket;
import dev.gatehouse.tunnel.wireguard.InboundFilter;
import java.util.List;

/**
 * The per-peer filter engine the gateway applies to decrypted packets from a client: permit all,
 * permit protocol+port ranges and ICMP echo, or deny all. ICMP errors pass when they concern a
 * permitted flow: the quoted packet, read in reverse (it was sent by the resource to the client),
 * must be permitted, and it must have been addressed to the client that reports the error.
 * Non-first fragments carry no ports and are denied unless everything is permitted.
 *
 * <p>Immutable rules; {@link #decide} uses a per-thread {@link IpPacket} and allocates nothing.
 */
public final class PeerFilter implements InboundFilter {

  /** Why a packet passed or not. */
  public enum Verdict {
    PERMIT,
    DENY_NO_RULE,
    DENY_MALFORMED,
  }

  private static final ThreadLocal<IpPacket> PARSER = ThreadLocal.withInitial(IpPacket::new);

  private final boolean permitAll;
  private final boolean icmpEcho;
  private final int[] tcpRanges; // pairs from,to
  private final int[] udpRanges;

  private PeerFilter(List<FilterRule> rules) {
    boolean all = false;
    boolean echo = false;
    List<FilterRule.PermitPorts> tcp = new java.util.ArrayList<>();
    List<FilterRule.PermitPorts> udp = new java.util.ArrayList<>();
    for (FilterRule r : rules) {
      switch (r) {
        case FilterRule.PermitAll p -> all = true;
        case FilterRule.DenyAll d -> {}
        case FilterRule.PermitIcmpEcho e -> echo = true;
        case FilterRule.PermitPorts p ->
            (p.protocol() == FilterRule.Protocol.TCP ? tcp : udp).add(p);
      }
    }
    this.permitAll = all;
    this.icmpEcho = echo;
    this.tcpRanges = ranges(tcp);
    this.udpRanges = ranges(udp);
  }

  private static int[] ranges(List<FilterRule.PermitPorts> rules) {
    int[] r = new int[rules.size() * 2];
    for (int i = 0; i < rules.size(); i++) {
      r[2 * i] = rules.get(i).from();
      r[2 * i + 1] = rules.get(i).to();
    }
    return r;
  }

  /** A filter from rules; an empty list denies everything. */
  public static PeerFilter of(List<FilterRule> rules) {
    return new PeerFilter(List.copyOf(rules));
  }

  public static PeerFilter permitAll() {
    return of(List.of(new FilterRule.PermitAll()));
  }

  public static PeerFilter denyAll() {
    return of(List.of(new FilterRule.DenyAll()));
  }

  @Override
  public boolean permits(byte[] packet, int off, int len) {
    return decide(packet, off, len) == Verdict.PERMIT;
  }

  /** Decides on the IP packet {@code packet[off, off+len)}; never throws. */
  public Verdict decide(byte[] packet, int off, int len) {
    IpPacket p = PARSER.get();
    if (p.parse(packet, off, len) != IpPacket.Status.OK) {
      return Verdict.DENY_MALFORMED;
    }
    if (permitAll) {
      return Verdict.PERMIT;
    }
    if (p.isIcmpError()) {
      IpPacket inner = p.embedded();
      if (inner == null) {
        return Verdict.DENY_MALFORMED;
      }
      // The quoted packet went resource -> client; the client must be the one reporting it.
      if (!p.srcEqualsDstOf(inner)) {
        return Verdict.DENY_NO_RULE;
      }
      return permitsReversed(inner) ? Verdict.PERMIT : Verdict.DENY_NO_RULE;
    }
    return permitsForward(p) ? Verdict.PERMIT : Verdict.DENY_NO_RULE;
  }

  private boolean permitsForward(IpPacket p) {
    int proto = p.protocol();
    if (proto == IpPacket.TCP || proto == IpPacket.UDP) {
      return p.firstFragment()
          && inRanges(proto == IpPacket.TCP ? tcpRanges : udpRanges, p.dstPort());
    }
    if (proto == IpPacket.ICMP) {
      return icmpEcho && p.icmpType() == 8;
    }
    if (proto == IpPacket.ICMPV6) {
      return icmpEcho && p.icmpType() == 128;
    }
    return false;
  }

  private boolean permitsReversed(IpPacket quoted) {
    int proto = quoted.protocol();
    if (proto == IpPacket.TCP || proto == IpPacket.UDP) {
      return quoted.srcPort() >= 0
          && inRanges(proto == IpPacket.TCP ? tcpRanges : udpRanges, quoted.srcPort());
    }
    if (proto == IpPacket.ICMP) {
      return icmpEcho && quoted.icmpType() == 0; // echo reply from the resource
    }
    if (proto == IpPacket.ICMPV6) {
      return icmpEcho && quoted.icmpType() == 129;
    }
    return false;
  }

  private static boolean inRanges(int[] ranges, int port) {
    for (int i = 0; i < ranges.length; i += 2) {
      if (port >= ranges[i] && port <= ranges[i + 1]) {
        return true;
      }
    }
    return false;
  }
}
