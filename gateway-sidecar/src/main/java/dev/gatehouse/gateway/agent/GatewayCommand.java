package dev.gatehouse.gateway.agent;

import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.util.List;
import java.util.UUID;

/** What the {@link GatewayAgent} asks its shell to do, in order. */
public sealed interface GatewayCommand {

  /**
   * Give the TUN interface the gateway's tunnel addresses and set forwarding and masquerade.
   *
   * @param ipv4 host prefix, e.g. {@code 100.64.0.1/32}
   * @param ipv6 host prefix, e.g. {@code fd00:2021:1111::1/128}
   */
  record ConfigureInterface(
      IpPrefix ipv4, IpPrefix ipv6, boolean ipv4Masquerade, boolean ipv6Masquerade)
      implements GatewayCommand {}

  /**
   * Add the client as a WireGuard peer, or replace it (its key, preshared key or addresses
   * changed), with this access.
   */
  record UpsertClientPeer(
      UUID clientId,
      byte[] publicKey,
      byte[] presharedKey,
      List<IpPrefix> allowedIps,
      List<AccessRule> access)
      implements GatewayCommand {}

  /** Replace an existing client peer's access (filters changed, a resource added or removed). */
  record SetClientAccess(UUID clientId, List<AccessRule> access) implements GatewayCommand {}

  /** Remove the client's peer: it has no access left. */
  record RemoveClientPeer(UUID clientId, byte[] publicKey) implements GatewayCommand {}

  /**
   * Resolve {@code name} with the gateway's own resolver, off the packet and control threads, and
   * give the result to {@link GatewayAgent#onResolved} with {@code ref}.
   */
  record Resolve(String ref, String name) implements GatewayCommand {}

  /** One proxy address a client uses for a name, and the real address it stands for. */
  record NatMapping(java.net.InetAddress proxy, java.net.InetAddress real) {}

  /**
   * Replace the client's address translation: packets from {@code clientIpv4} to a proxy address go
   * to its real address, replies come back from the proxy address. Empty removes it.
   */
  record SetClientNat(UUID clientId, IpPrefix clientIpv4, List<NatMapping> mappings)
      implements GatewayCommand {}

  /** Send to the API node. */
  record Reply(Envelope<GatewayInbound> envelope) implements GatewayCommand {}

  /** Allocate on these relays (the API node's fresh credentials; an empty list releases all). */
  record UseRelays(List<Relay> relays) implements GatewayCommand {}

  /** Paths the client can be reached on ({@code ice_candidates}: candidate lines). */
  record ClientCandidates(UUID clientId, List<String> candidates) implements GatewayCommand {}

  /** Something an operator wants in the log. */
  record Report(String event, String detail) implements GatewayCommand {}
}
