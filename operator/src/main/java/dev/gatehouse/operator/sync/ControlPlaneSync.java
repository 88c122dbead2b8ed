package dev.gatehouse.operator.sync;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.Resource;
import java.util.List;
import java.util.Optional;

/**
 * Writes what the custom resources declare into the control plane's database, and removes it when
 * they go. Reconcilers call it after their Kubernetes work; finalizers call the {@code remove}
 * methods, so a deleted CR never leaves access behind.
 *
 * <p>Implementations must be idempotent: every method may be called again with the same input. They
 * may block on the database and throw on failure; the reconciler then retries and reports the
 * failure in the object's status.
 */
public interface ControlPlaneSync {
  /** Upserts the Gateway's site and its token's SHA-256 (the control plane keeps only the hash). */
  void upsertSite(Gateway gateway, byte[] tokenSha256);

  /**
   * The SHA-256 (hex) of the Gateway's live token as the control plane stores it; empty when there
   * is none or no control plane. The operator's fallback when a Gateway's status lost the hash.
   */
  default Optional<String> tokenSha256(Gateway gateway) {
    return Optional.empty();
  }

  /**
   * Removes the Gateway's token; with {@code lastOfSite} also the site, which disconnects its
   * gateways and cuts their flows.
   */
  void removeSite(Gateway gateway, boolean lastOfSite);

  /**
   * Upserts a valid resource as resolved: its addresses (a Service's ClusterIPs, or the spec's
   * address) and the sites of the Gateways that serve it.
   */
  void upsertResource(Resource resource, List<String> addresses, List<String> siteNames);

  void removeResource(Resource resource);

  /** Upserts a valid policy for the existing resource it names. */
  void upsertPolicy(Policy policy, Resource resource);

  void removePolicy(Policy policy);

  /** The control-plane id of a Gateway's site, a Resource or a Policy; null when disconnected. */
  default String idOf(io.fabric8.kubernetes.api.model.HasMetadata object) {
    return null;
  }

  /**
   * How many gateways of the Gateway's site hold a control channel to an API node now; empty when
   * that is unknown (no control plane, or its API node tables are not there yet).
   */
  default java.util.OptionalInt connectedGateways(Gateway gateway) {
    return java.util.OptionalInt.empty();
  }

  /** Whether this writes to a real control plane (status shows ids only then). */
  default boolean connected() {
    return true;
  }

  /** For an operator that runs without a control plane (the Kubernetes side alone). */
  ControlPlaneSync DISCONNECTED =
      new ControlPlaneSync() {
        @Override
        public void upsertSite(Gateway gateway, byte[] tokenSha256) {}

        @Override
        public void removeSite(Gateway gateway, boolean lastOfSite) {}

        @Override
        public void upsertResource(Resource resource, List<String> addresses, List<String> sites) {}

        @Override
        public void removeResource(Resource resource) {}

        @Override
        public void upsertPolicy(Policy policy, Resource resource) {}

        @Override
        public void removePolicy(Policy policy) {}

        @Override
        public boolean connected() {
          return false;
        }
      };
}
