package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.store.TokenStore.TokenInfo;

/** What a peer presented when it opened its channel (after its token was checked). */
public final class Joins {

  private Joins() {}

  /** A client: its token and the device it runs on. */
  public record ClientJoin(
      TokenInfo token,
      String externalId,
      String name,
      String publicKey,
      String version,
      String remoteIp) {}

  /** A gateway: its site token, its pod (external id) and its WireGuard endpoint. */
  public record GatewayJoin(
      TokenInfo token,
      String externalId,
      String name,
      String publicKey,
      String version,
      String endpoint) {}
}
