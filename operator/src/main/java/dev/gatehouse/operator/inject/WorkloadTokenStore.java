package dev.gatehouse.operator.inject;

import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Where workload tokens are minted and revoked: the control plane, through the API node's admin
 * store (the same rows {@code POST /admin/client-tokens} writes). Every method is idempotent and
 * throws {@link dev.gatehouse.operator.sync.ControlPlaneException} when the database cannot be
 * reached; the reconciler then retries.
 */
public interface WorkloadTokenStore {
  /**
   * Stores the token (its hash) of one workload for the service account {@code actorName}, made if
   * there is none.
   *
   * @return whether it was stored now (false: a retry, or the pod's token was revoked already)
   */
  boolean issue(String actorName, UUID tokenId, String token, String workload);

  /** Revokes one token (its channels are disconnected); a revoked or unknown id is no error. */
  void revoke(UUID tokenId);

  /**
   * Revokes the live workload tokens issued before {@code issuedBefore} in these namespaces (all,
   * when empty) whose ids are not in {@code keep}.
   *
   * @return how many it revoked
   */
  int revokeAllExcept(Set<UUID> keep, Set<String> namespaces, Instant issuedBefore);
}
