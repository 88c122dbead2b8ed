package dev.gatehouse.relay.turn;

import dev.gatehouse.relay.stun.TurnProtocol;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * Settings of the TURN core. {@link #defaults} gives the RFC 8656 timers; the {@code with} methods
 * change one setting each.
 *
 * @param realm the REALM of long-term credentials (RFC 8489 §9.2)
 * @param software the SOFTWARE attribute of responses, or null for none
 * @param relayAddress the IP advertised in XOR-RELAYED-ADDRESS (the public IP of the relay)
 * @param allocationQuota live allocations one username may hold (486 beyond)
 * @param rateBytesPerSecond per-username relayed payload rate; 0 turns rate limiting off
 * @param rateBurstBytes the token bucket's size
 * @param allowLoopbackPeers whether peers on 127.0.0.0/8 and ::1 are allowed (tests)
 * @param legacyChannelRange accept channels up to 0x7FFF as RFC 5766 and coturn do, not only RFC
 *     8656's 0x4000..0x4FFF
 * @param padChannelData pad ChannelData sent to clients to 4 bytes (RFC 8656 §12.5 allows both)
 */
public record TurnConfig(
    String realm,
    String software,
    InetAddress relayAddress,
    Duration defaultLifetime,
    Duration maxLifetime,
    Duration permissionLifetime,
    Duration channelLifetime,
    Duration channelCooldown,
    Duration nonceLifetime,
    int allocationQuota,
    long rateBytesPerSecond,
    long rateBurstBytes,
    boolean allowLoopbackPeers,
    boolean legacyChannelRange,
    boolean padChannelData) {

  /** Default quota of allocations per username. */
  public static final int DEFAULT_QUOTA = 10;

  /** Default per-username rate: 100 Mbit/s, with one second of burst. */
  public static final long DEFAULT_RATE_BYTES_PER_SECOND = 12_500_000L;

  /** Nonces are valid for 10 minutes, then a request gets 438 and a fresh one. */
  public static final Duration DEFAULT_NONCE_LIFETIME = Duration.ofMinutes(10);

  public TurnConfig {
    Objects.requireNonNull(realm, "realm");
    Objects.requireNonNull(relayAddress, "relayAddress");
    if (allocationQuota < 1) {
      throw new IllegalArgumentException("allocationQuota must be at least 1");
    }
    if (rateBytesPerSecond < 0 || (rateBytesPerSecond > 0 && rateBurstBytes < 1)) {
      throw new IllegalArgumentException("rate must be >= 0 and burst >= 1 when rate > 0");
    }
  }

  /** RFC 8656 timers, quota {@value #DEFAULT_QUOTA}, 100 Mbit/s per username. */
  public static TurnConfig defaults(String realm, InetAddress relayAddress) {
    return new TurnConfig(
        realm,
        "gatehouse-relay",
        relayAddress,
        TurnProtocol.DEFAULT_ALLOCATION_LIFETIME,
        TurnProtocol.MAX_ALLOCATION_LIFETIME,
        TurnProtocol.PERMISSION_LIFETIME,
        TurnProtocol.CHANNEL_LIFETIME,
        TurnProtocol.CHANNEL_COOLDOWN,
        DEFAULT_NONCE_LIFETIME,
        DEFAULT_QUOTA,
        DEFAULT_RATE_BYTES_PER_SECOND,
        DEFAULT_RATE_BYTES_PER_SECOND,
        false,
        false,
        true);
  }

  public TurnConfig withAllocationQuota(int quota) {
    return edit(b -> b.allocationQuota = quota);
  }

  /** Rate limit per username; {@code bytesPerSecond} 0 turns it off. */
  public TurnConfig withRateLimit(long bytesPerSecond, long burstBytes) {
    return edit(
        b -> {
          b.rateBytesPerSecond = bytesPerSecond;
          b.rateBurstBytes = burstBytes;
        });
  }

  public TurnConfig withAllowLoopbackPeers(boolean allow) {
    return edit(b -> b.allowLoopbackPeers = allow);
  }

  public TurnConfig withLegacyChannelRange(boolean legacy) {
    return edit(b -> b.legacyChannelRange = legacy);
  }

  /** A copy with the changes {@code change} makes to the mutable form of this config. */
  private TurnConfig edit(java.util.function.Consumer<Mutable> change) {
    Mutable m = new Mutable(this);
    change.accept(m);
    return m.build();
  }

  /** The fields the {@code with} methods change; the rest are copied as they are. */
  private static final class Mutable {
    private final TurnConfig base;
    int allocationQuota;
    long rateBytesPerSecond;
    long rateBurstBytes;
    boolean allowLoopbackPeers;
    boolean legacyChannelRange;

    Mutable(TurnConfig c) {
      base = c;
      allocationQuota = c.allocationQuota;
      rateBytesPerSecond = c.rateBytesPerSecond;
      rateBurstBytes = c.rateBurstBytes;
      allowLoopbackPeers = c.allowLoopbackPeers;
      legacyChannelRange = c.legacyChannelRange;
    }

    TurnConfig build() {
      return new TurnConfig(
          base.realm,
          base.software,
          base.relayAddress,
          base.defaultLifetime,
          base.maxLifetime,
          base.permissionLifetime,
          base.channelLifetime,
          base.channelCooldown,
          base.nonceLifetime,
          allocationQuota,
          rateBytesPerSecond,
          rateBurstBytes,
          allowLoopbackPeers,
          legacyChannelRange,
          base.padChannelData);
    }
  }

  /** The highest channel number a client may bind. */
  public int maxChannel() {
    return legacyChannelRange ? TurnProtocol.LEGACY_CHANNEL_MAX : TurnProtocol.CHANNEL_MAX;
  }
}
