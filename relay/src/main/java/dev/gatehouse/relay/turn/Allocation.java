package dev.gatehouse.relay.turn;

import java.net.InetSocketAddress;

/**
 * RFC 8656 §6: one allocation. It is <em>pending</em> from the authenticated Allocate until the
 * edge has bound its relayed socket ({@link #relay} null), then <em>active</em> until its lifetime
 * runs out or a Refresh with LIFETIME 0 deletes it. Owned and mutated by {@link Allocations} only.
 */
final class Allocation {
  final FiveTuple tuple;
  final String username;
  final byte[] key;
  final byte[] allocateTransactionId;
  final long lifetimeNanos;
  final Permissions permissions;
  final ChannelBindings channels;

  /** The edge's name for the relayed socket; null while pending. */
  InetSocketAddress relay;

  /** The relayed transport address advertised to the client. */
  InetSocketAddress advertised;

  /** The success response, kept to answer a retransmitted Allocate (RFC 8656 §7.2). */
  byte[] successResponse;

  long expiresAt;

  Allocation(
      FiveTuple tuple,
      String username,
      byte[] key,
      byte[] allocateTransactionId,
      long lifetimeNanos,
      TurnConfig config) {
    this.tuple = tuple;
    this.username = username;
    this.key = key;
    this.allocateTransactionId = allocateTransactionId;
    this.lifetimeNanos = lifetimeNanos;
    this.permissions = new Permissions(config.permissionLifetime().toNanos());
    this.channels =
        new ChannelBindings(config.channelLifetime().toNanos(), config.channelCooldown().toNanos());
  }

  boolean active() {
    return relay != null;
  }

  boolean expired(long nowNanos) {
    return active() && nowNanos - expiresAt >= 0;
  }
}
