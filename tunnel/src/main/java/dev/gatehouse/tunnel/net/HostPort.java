package dev.gatehouse.tunnel.net;

import java.net.InetSocketAddress;

/** {@code host:port} and {@code [v6]:port} as endpoints, relays and listeners are written. */
public final class HostPort {
  private HostPort() {}

  /** Parses the text; a host name is resolved (unresolved if it cannot be). */
  public static InetSocketAddress parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0) {
      throw new IllegalArgumentException("needs host:port: " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("port is not a number: " + text);
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("port out of range: " + text);
    }
    return new InetSocketAddress(host, port);
  }
}
