package dev.gatehouse.apinode.core;

import dev.gatehouse.protocol.Relay;
import dev.gatehouse.relay.RelayCredentials;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * The relays this node hands out in {@code init}, each with fresh stateless credentials (Firezone's
 * scheme, {@link RelayCredentials}): the salt is a hash of the receiver's WireGuard public key, so
 * credentials name their holder without the relay knowing anyone. Clients' credentials last until
 * their token expires, at most {@link #CLIENT_LIFETIME}; gateways' {@link #GATEWAY_LIFETIME}, as in
 * Firezone. Pure: the time comes in.
 */
public final class RelayDirectory {
  public static final Duration CLIENT_LIFETIME = Duration.ofDays(7);
  public static final Duration GATEWAY_LIFETIME = Duration.ofDays(90);

  /** No relays: {@code init} carries an empty list. */
  public static final RelayDirectory NONE = new RelayDirectory(List.of(), null);

  private final List<String> addrs;
  private final byte[] secret;
  private final Duration clientLifetime;
  private final Duration gatewayLifetime;

  /**
   * @param addrs the relays' {@code host:port} UDP listeners, as clients and gateways dial them
   * @param secret the secret the relays were started with ({@code --secret-file})
   */
  public RelayDirectory(List<String> addrs, byte[] secret) {
    this(addrs, secret, CLIENT_LIFETIME, GATEWAY_LIFETIME);
  }

  /** With other credential lifetimes than Firezone's (tests of the refresh). */
  public RelayDirectory(
      List<String> addrs, byte[] secret, Duration clientLifetime, Duration gatewayLifetime) {
    this.clientLifetime = clientLifetime;
    this.gatewayLifetime = gatewayLifetime;
    this.addrs = List.copyOf(addrs);
    if (!this.addrs.isEmpty() && (secret == null || secret.length == 0)) {
      throw new IllegalArgumentException("relays need their shared secret");
    }
    this.secret = secret == null ? null : secret.clone();
  }

  public boolean isEmpty() {
    return addrs.isEmpty();
  }

  /** For a client whose token expires at {@code tokenExpiresAt} (null: never). */
  public List<Relay> forClient(String publicKey, Instant tokenExpiresAt, Instant now) {
    Instant latest = now.plus(clientLifetime);
    Instant expiry =
        tokenExpiresAt != null && tokenExpiresAt.isBefore(latest) ? tokenExpiresAt : latest;
    return relays(publicKey, expiry);
  }

  public List<Relay> forGateway(String publicKey, Instant now) {
    return relays(publicKey, now.plus(gatewayLifetime));
  }

  private List<Relay> relays(String publicKey, Instant expiry) {
    List<Relay> out = new ArrayList<>(addrs.size());
    String salt = salt(publicKey);
    for (int i = 0; i < addrs.size(); i++) {
      RelayCredentials.Minted m = RelayCredentials.mint(secret, expiry, salt);
      out.add(
          new Relay(
              "relay-" + i,
              Relay.TURN,
              addrs.get(i),
              m.username(),
              m.password(),
              m.expiresAt().getEpochSecond()));
    }
    return out;
  }

  /** URL-safe base64 of SHA-256 of the key: no ':' (the username's separator). */
  static String salt(String publicKey) {
    try {
      byte[] hash =
          MessageDigest.getInstance("SHA-256").digest(publicKey.getBytes(StandardCharsets.UTF_8));
      return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
