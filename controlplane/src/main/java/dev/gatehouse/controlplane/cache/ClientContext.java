package dev.gatehouse.controlplane.cache;

import java.time.Instant;

/**
 * What policy conditions and version checks are evaluated against for one client.
 *
 * @param remoteIp the client's remote address (4 or 16 bytes), or null if unknown
 * @param verified whether an admin verified the device
 * @param version the client's last seen version ({@link Version#UNKNOWN} if none)
 * @param tokenExpiresAt when the client's token expires (caps every authorization), or null
 */
public record ClientContext(
    byte[] remoteIp, boolean verified, Version version, Instant tokenExpiresAt) {

  /** Parses {@code remoteIp} as an IP literal; a null or unparseable text gives null. */
  public static byte[] ipOrNull(String remoteIp) {
    if (remoteIp == null) {
      return null;
    }
    try {
      String s = remoteIp.strip();
      int slash = s.indexOf('/');
      return Cidr.literal(slash < 0 ? s : s.substring(0, slash));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
