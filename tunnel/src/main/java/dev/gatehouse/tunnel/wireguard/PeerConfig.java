package dev.gatehouse.tunnel.wireguard;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

/**
 * A peer as a WireGuard config's {@code [Peer]} section describes it, plus the inbound filter the
 * gateway applies to its decrypted packets.
 *
 * @param publicKey the peer's static public key (32 bytes)
 * @param presharedKey optional 32-byte preshared key, null for none (all zeros)
 * @param allowedIps cryptokey routing prefixes
 * @param endpoint initial endpoint, null until the peer contacts us
 * @param persistentKeepalive interval, {@link Duration#ZERO} for off
 * @param filter decides which decrypted packets may pass
 */
public record PeerConfig(
    byte[] publicKey,
    byte[] presharedKey,
    List<IpPrefix> allowedIps,
    InetSocketAddress endpoint,
    Duration persistentKeepalive,
    InboundFilter filter) {

  public PeerConfig {
    if (publicKey == null || publicKey.length != 32) {
      throw new IllegalArgumentException("public key must be 32 bytes");
    }
    if (presharedKey != null && presharedKey.length != 32) {
      throw new IllegalArgumentException("preshared key must be 32 bytes");
    }
    allowedIps = List.copyOf(allowedIps);
    persistentKeepalive = persistentKeepalive == null ? Duration.ZERO : persistentKeepalive;
    filter = filter == null ? InboundFilter.PERMIT_ALL : filter;
  }

  /** A peer with just a key and allowed IPs. */
  public static PeerConfig of(byte[] publicKey, List<IpPrefix> allowedIps) {
    return new PeerConfig(publicKey, null, allowedIps, null, Duration.ZERO, null);
  }

  public PeerConfig withEndpoint(InetSocketAddress e) {
    return new PeerConfig(publicKey, presharedKey, allowedIps, e, persistentKeepalive, filter);
  }

  public PeerConfig withPresharedKey(byte[] psk) {
    return new PeerConfig(publicKey, psk, allowedIps, endpoint, persistentKeepalive, filter);
  }

  public PeerConfig withPersistentKeepalive(Duration d) {
    return new PeerConfig(publicKey, presharedKey, allowedIps, endpoint, d, filter);
  }

  public PeerConfig withFilter(InboundFilter f) {
    return new PeerConfig(publicKey, presharedKey, allowedIps, endpoint, persistentKeepalive, f);
  }
}
