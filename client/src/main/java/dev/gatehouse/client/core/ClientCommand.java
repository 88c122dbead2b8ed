package dev.gatehouse.client.core;

import dev.gatehouse.client.core.dns.DnsStub;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.util.List;
import java.util.UUID;

/** What the {@link ClientAgent} asks its shell to do, in order. */
public sealed interface ClientCommand {

  /** Give the TUN interface these tunnel addresses (replacing earlier ones). */
  record ConfigureInterface(IpPrefix ipv4, IpPrefix ipv6) implements ClientCommand {}

  /** Route a resource's prefix into the TUN interface. */
  record AddRoute(IpPrefix prefix) implements ClientCommand {}

  /** Remove a route added by {@link AddRoute}. */
  record RemoveRoute(IpPrefix prefix) implements ClientCommand {}

  /** Send a message to the API node. */
  record Send(Envelope<ClientInbound> envelope) implements ClientCommand {}

  /**
   * Add the gateway as a WireGuard peer, or replace it, with exactly these allowed IPs.
   *
   * @param endpoint {@code host:port} as the API sent it
   */
  record UpsertGatewayPeer(
      UUID gatewayId,
      byte[] publicKey,
      byte[] presharedKey,
      String endpoint,
      List<IpPrefix> allowedIps)
      implements ClientCommand {}

  /** Remove the gateway's peer. */
  record RemoveGatewayPeer(UUID gatewayId, byte[] publicKey) implements ClientCommand {}

  /** Send these held packets into the tunnel now (after the peer commands before it). */
  record Deliver(List<byte[]> packets) implements ClientCommand {}

  /** Write this packet into the TUN interface, to the OS (an answer from the DNS stub). */
  record WriteToTun(byte[] packet) implements ClientCommand {}

  /**
   * Send the DNS message {@code query} to the upstream resolver; give its answer to {@link
   * ClientAgent#onUpstreamDnsAnswer} with {@code replyTo}. No answer needs no call (the asker
   * retries).
   */
  record ForwardDnsQuery(byte[] query, DnsStub.ReplyTo replyTo) implements ClientCommand {}

  /** Allocate on these relays (the API node's fresh credentials; an empty list releases all). */
  record UseRelays(List<Relay> relays) implements ClientCommand {}

  /** Paths the gateway can be reached on ({@code ice_candidates}: candidate lines). */
  record GatewayCandidates(UUID gatewayId, List<String> candidates) implements ClientCommand {}

  /** Something an operator of the client wants to see in the log and the status. */
  record Report(String event, String detail) implements ClientCommand {}
}
