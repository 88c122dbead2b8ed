package dev.gatehouse.apinode.core;

import dev.gatehouse.protocol.IceCredentials;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Per-flow key material, deterministic per (client, gateway) pair so that every flow between the
 * same two peers (and every API node replica) yields the same WireGuard preshared key — WireGuard
 * has one PSK per peer. Firezone derives it with PBKDF2 from per-device random bases; Gatehouse has
 * no such columns, so it uses HMAC-SHA256 under a deployment secret shared by all replicas.
 */
public final class FlowKeys {

  private final byte[] secret;

  /**
   * @param secret at least 32 bytes, the same on every replica
   */
  public FlowKeys(byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("the flow key secret must have at least 32 bytes");
    }
    this.secret = secret.clone();
  }

  /** The base64 WireGuard preshared key (32 bytes) of a client/gateway pair. */
  public String presharedKey(
      UUID clientId, String clientPublicKey, UUID gatewayId, String gatewayPublicKey) {
    byte[] psk =
        hmac(
            "WG_PSK|C_ID:"
                + clientId
                + "|G_ID:"
                + gatewayId
                + "|C_PK:"
                + clientPublicKey
                + "|G_PK:"
                + gatewayPublicKey);
    return Base64.getEncoder().encodeToString(psk);
  }

  /**
   * Deterministic ICE credentials of both sides (Firezone: SHA-256 of {@code
   * client.id:client.pubkey:gateway.id:gateway.pubkey}, sliced into usernames and passwords).
   *
   * @return {client, gateway}
   */
  public static IceCredentials[] iceCredentials(
      UUID clientId, String clientPublicKey, UUID gatewayId, String gatewayPublicKey) {
    byte[] digest;
    try {
      digest =
          MessageDigest.getInstance("SHA-256")
              .digest(
                  (clientId + ":" + clientPublicKey + ":" + gatewayId + ":" + gatewayPublicKey)
                      .getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
    String s = Base64.getUrlEncoder().withoutPadding().encodeToString(digest); // 43 chars
    return new IceCredentials[] {
      new IceCredentials(s.substring(0, 4), s.substring(4, 26)),
      new IceCredentials(s.substring(26, 30), s.substring(30, 43) + s.substring(4, 13))
    };
  }

  private byte[] hmac(String message) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret, "HmacSHA256"));
      return mac.doFinal(message.getBytes(StandardCharsets.UTF_8));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
