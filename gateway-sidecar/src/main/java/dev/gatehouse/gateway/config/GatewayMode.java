package dev.gatehouse.gateway.config;

import java.util.Locale;
import java.util.Optional;

/** How the gateway forwards decrypted packets (DESIGN.md, "Gateway"). */
public enum GatewayMode {
  /** A TUN device with kernel forwarding and masquerade; needs NET_ADMIN and /dev/net/tun. */
  KERNEL;

  /** The value as written in {@code GATEHOUSE_MODE}. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  static Optional<GatewayMode> parse(String value) {
    for (GatewayMode mode : values()) {
      if (mode.configValue().equalsIgnoreCase(value)) {
        return Optional.of(mode);
      }
    }
    return Optional.empty();
  }
}
