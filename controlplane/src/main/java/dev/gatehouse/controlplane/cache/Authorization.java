package dev.gatehouse.controlplane.cache;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The answer of {@link ClientCache#authorize}: may the client connect to a resource now? */
public sealed interface Authorization {

  /**
   * Allowed through {@code policyId} (the conforming policy that lasts longest) until {@code
   * expiresAt} (capped by the token's expiry; null = no end).
   */
  record Allowed(UUID resourceId, UUID policyId, UUID membershipId, Instant expiresAt)
      implements Authorization {}

  /** The resource is unknown to this client, not served by any site, or too new for it. */
  record NotFound(UUID resourceId) implements Authorization {}

  /** Policies exist but none conforms; {@code violatedProperties} lists why. */
  record Forbidden(UUID resourceId, List<String> violatedProperties) implements Authorization {
    public Forbidden {
      violatedProperties = List.copyOf(violatedProperties);
    }
  }
}
