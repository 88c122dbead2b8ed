/**
 * The gateway's kernel-mode shell: {@link dev.gatehouse.gateway.tunnel.GatewayRuntime} wires the
 * control channel, the {@link dev.gatehouse.gateway.agent.GatewayAgent} and the tunnel engine;
 * {@link dev.gatehouse.gateway.tunnel.HostNetwork} (with an in-memory twin) does addresses,
 * forwarding and masquerade; per-client {@link dev.gatehouse.gateway.tunnel.ClientAccessFilter}s
 * enforce resource addresses and filters on decrypted packets.
 */
package dev.gatehouse.gateway.tunnel;
