package dev.gatehouse.controlplane.cache;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * Looks for another policy that still lets a client reach a resource through a gateway, after the
 * last flow of that pair was deleted (Firezone's {@code Flows.reauthorize_flow}). Called by {@link
 * GatewayCache#apply} on the owner's thread; an implementation may query the database and record
 * the replacement flow, so it may block for the duration of that query.
 */
@FunctionalInterface
public interface FlowReauthorizer {

  /** A flow that replaces the deleted one. */
  record Replacement(UUID flowId, Instant expiresAt) {}

  /**
   * @param previousExpiry the expiry of the deleted flow; a replacement must not outlast it
   * @return the replacement, or empty when no policy allows the pair any more (then the gateway is
   *     told {@code reject_access})
   */
  Optional<Replacement> reauthorize(
      UUID gatewayId, UUID clientId, UUID resourceId, Instant previousExpiry, Instant now);

  /** Never finds a replacement: every last-flow delete rejects access. */
  FlowReauthorizer NONE = (g, c, r, e, n) -> Optional.empty();
}
