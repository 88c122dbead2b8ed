package dev.gatehouse.tunnel.net;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Which UDP socket a tunnel runs on. {@link #LINUX}, the default, is {@link LinuxUdpTransport}: the
 * kernel's socket straight through FFM, nothing allocated per datagram. {@link #NETTY} is {@link
 * NettyUdpTransport}, kept as the fallback an operator can switch to without a new build.
 */
public enum UdpSocketKind {
  LINUX,
  NETTY;

  /** The value as written on a command line or in a variable. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The kind {@code value} names, ignoring case; empty when it names none. */
  public static Optional<UdpSocketKind> parse(String value) {
    for (UdpSocketKind kind : values()) {
      if (kind.configValue().equalsIgnoreCase(value.strip())) {
        return Optional.of(kind);
      }
    }
    return Optional.empty();
  }

  /** The accepted values, for error messages: {@code linux or netty}. */
  public static String choices() {
    return Arrays.stream(values())
        .map(UdpSocketKind::configValue)
        .collect(Collectors.joining(" or "));
  }

  /** Binds this kind of socket to {@code local} (port 0 picks one), with GRO/GSO where present. */
  public DatagramTransport bind(InetSocketAddress local) throws IOException {
    return switch (this) {
      case LINUX -> LinuxUdpTransport.bind(local);
      case NETTY -> {
        try {
          yield NettyUdpTransport.bind(local);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new InterruptedIOException("interrupted while binding UDP " + local);
        }
      }
    };
  }
}
