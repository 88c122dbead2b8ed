package dev.gatehouse.relay.turn;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * RFC 8656 §9: the permissions of one allocation, keyed by peer IP address only (ports are
 * ignored). Each lasts {@code lifetimeNanos} from its last install or refresh; expired ones stop
 * matching at once and are pruned by {@link #expire}.
 */
final class Permissions {
  private final long lifetimeNanos;
  private final Map<InetAddress, Long> expiries = new HashMap<>();

  Permissions(long lifetimeNanos) {
    this.lifetimeNanos = lifetimeNanos;
  }

  /** Installs or refreshes the permission for {@code peer} (CreatePermission or ChannelBind). */
  void install(InetAddress peer, long nowNanos) {
    expiries.put(peer, nowNanos + lifetimeNanos);
  }

  /** Whether a live permission exists for {@code peer}. */
  boolean allows(InetAddress peer, long nowNanos) {
    Long expiry = expiries.get(peer);
    return expiry != null && nowNanos - expiry < 0;
  }

  /** Drops expired permissions. */
  void expire(long nowNanos) {
    expiries.values().removeIf(expiry -> nowNanos - expiry >= 0);
  }

  int size() {
    return expiries.size();
  }
}
