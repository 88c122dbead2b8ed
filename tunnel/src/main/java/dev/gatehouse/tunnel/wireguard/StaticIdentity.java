package dev.gatehouse.tunnel.wireguard;

import java.util.Base64;

/**
 * This node's long-term X25519 key pair (§5.4). Keys are 32 raw bytes; configuration files carry
 * them in standard Base64, as {@code wg genkey} prints them.
 */
public record StaticIdentity(byte[] privateKey, byte[] publicKey) {

  /** Builds an identity from a private key, clamping it and deriving the public key. */
  public static StaticIdentity fromPrivateKey(byte[] privateKey) {
    if (privateKey.length != 32) {
      throw new IllegalArgumentException("private key must be 32 bytes");
    }
    byte[] k = Crypto.clamp(privateKey.clone());
    return new StaticIdentity(k, Crypto.publicKey(k));
  }

  /** A fresh random identity. */
  public static StaticIdentity generate() {
    return fromPrivateKey(Crypto.generatePrivateKey());
  }

  /** Decodes a Base64 key of exactly 32 bytes. */
  public static byte[] decodeKey(String base64) {
    byte[] k;
    try {
      k = Base64.getDecoder().decode(base64.trim());
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("key is not valid Base64", e);
    }
    if (k.length != 32) {
      throw new IllegalArgumentException("key must decode to 32 bytes, got " + k.length);
    }
    return k;
  }

  /** Encodes a key as Base64. */
  public static String encodeKey(byte[] key) {
    return Base64.getEncoder().encodeToString(key);
  }

  @Override
  public String toString() {
    return "StaticIdentity[publicKey=" + encodeKey(publicKey) + "]";
  }
}
