package dev.gatehouse.operator.sync;

import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Control-plane ids of Kubernetes objects. Pure and stable: a resource's or policy's row id is its
 * object's UID; a site's id follows from its namespace and name, so every Gateway naming the same
 * site joins the same row, and a re-created Gateway finds its site again.
 */
public final class ControlPlaneIds {
  private ControlPlaneIds() {}

  /** The row id of an object: its Kubernetes UID, which is a UUID. */
  public static UUID ofUid(String uid) {
    try {
      return UUID.fromString(uid);
    } catch (IllegalArgumentException | NullPointerException e) {
      // A uid that is not a UUID (some test servers hand them out): derive a stable id from it.
      return UUID.nameUUIDFromBytes(("uid:" + uid).getBytes(StandardCharsets.UTF_8));
    }
  }

  public static UUID site(UUID account, String namespace, String site) {
    return name(account, "site", namespace + "/" + site);
  }

  /** The operator's account, from its configured name. */
  public static UUID account(String name) {
    return UUID.nameUUIDFromBytes(("account:" + name).getBytes(StandardCharsets.UTF_8));
  }

  private static UUID name(UUID account, String kind, String name) {
    return UUID.nameUUIDFromBytes(
        (kind + ":" + account + ":" + name).getBytes(StandardCharsets.UTF_8));
  }
}
