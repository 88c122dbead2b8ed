package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How a gateway moves packets between tunnels and resources. */
public enum GatewayMode {
  /** A TUN device with kernel forwarding and masquerade; needs NET_ADMIN and /dev/net/tun. */
  @JsonProperty("kernel")
  KERNEL
}
