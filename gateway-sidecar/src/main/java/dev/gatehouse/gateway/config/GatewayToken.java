package dev.gatehouse.gateway.config;

import java.util.Objects;

/**
 * The gateway's bearer token for the control plane. {@link #toString()} never shows it, so a
 * settings record can be logged whole; only the control-channel client calls {@link #reveal()}.
 */
public record GatewayToken(String value) {

  public GatewayToken {
    Objects.requireNonNull(value, "value");
  }

  /** The token itself, for the {@code Authorization} header and nothing else. */
  public String reveal() {
    return value;
  }

  @Override
  public String toString() {
    return "****";
  }
}
