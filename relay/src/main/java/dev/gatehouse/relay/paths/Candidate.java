package dev.gatehouse.relay.paths;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.Optional;

/**
 * One path a peer can be reached on, as it travels in {@code broadcast_ice_candidates}: ICE
 * candidate syntax (RFC 8839 §5.1), {@code candidate:<foundation> 1 udp <priority> <ip> <port> typ
 * <type>}. Only IP literals are accepted: a candidate never makes anyone resolve a name.
 */
public record Candidate(Type type, InetSocketAddress address) {

  /** Where the address comes from, best first. */
  public enum Type {
    HOST(126),
    SRFLX(100),
    RELAY(0);

    final int preference;

    Type(int preference) {
      this.preference = preference;
    }
  }

  public Candidate {
    if (address.isUnresolved()) {
      throw new IllegalArgumentException("a candidate needs an IP address: " + address);
    }
  }

  public static Candidate relay(InetSocketAddress address) {
    return new Candidate(Type.RELAY, address);
  }

  /** The candidate line (RFC 8445 §5.1.2.1 priority, component 1). */
  public String line() {
    long priority = ((long) type.preference << 24) | (65535L << 8) | 255;
    return "candidate:"
        + type.name().charAt(0)
        + " 1 udp "
        + priority
        + " "
        + address.getAddress().getHostAddress()
        + " "
        + address.getPort()
        + " typ "
        + type.name().toLowerCase(Locale.ROOT);
  }

  /** The candidate a line describes, or empty when it is not one this side understands. */
  public static Optional<Candidate> parse(String line) {
    String[] f = line.trim().split(" +");
    if (f.length < 8 || !f[0].startsWith("candidate:") || !"typ".equals(f[6])) {
      return Optional.empty();
    }
    if (!"udp".equalsIgnoreCase(f[2])) {
      return Optional.empty();
    }
    try {
      Type type = Type.valueOf(f[7].toUpperCase(Locale.ROOT));
      int port = Integer.parseInt(f[5]);
      if (port < 1 || port > 65535) {
        return Optional.empty();
      }
      InetAddress ip = InetAddress.ofLiteral(f[4]);
      return Optional.of(new Candidate(type, new InetSocketAddress(ip, port)));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  @Override
  public String toString() {
    return line();
  }
}
