package dev.gatehouse.operator.sync;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.Resource;

/**
 * Writes what the custom resources declare into the control plane's database, and removes it when
 * they go. Reconcilers call it after their Kubernetes work; finalizers call the {@code remove}
 * methods, so a deleted CR never leaves access behind.
 *
 * <p>Implementations must be idempotent: every method may be called again with the same input. They
 * may block on the database and throw on failure; the reconciler then retries.
 */
public interface ControlPlaneSync {
  void upsertSite(Gateway gateway);

  void removeSite(Gateway gateway);

  void upsertResource(Resource resource);

  void removeResource(Resource resource);

  void upsertPolicy(Policy policy);

  void removePolicy(Policy policy);

  /** For an operator that runs without a control plane (the Kubernetes side alone). */
  ControlPlaneSync DISCONNECTED =
      new ControlPlaneSync() {
        @Override
        public void upsertSite(Gateway gateway) {}

        @Override
        public void removeSite(Gateway gateway) {}

        @Override
        public void upsertResource(Resource resource) {}

        @Override
        public void removeResource(Resource resource) {}

        @Override
        public void upsertPolicy(Policy policy) {}

        @Override
        public void removePolicy(Policy policy) {}
      };
}
