package dev.gatehouse.controlplane.cache;

import java.time.Instant;
import java.util.UUID;

/** What a {@link GatewayCache} mutation asks the gateway's channel to push. */
public sealed interface GatewayDelta {

  /** Push {@code reject_access}: drop the client's access to the resource now. */
  record RejectAccess(UUID clientId, UUID resourceId) implements GatewayDelta {}

  /** Push {@code resource_updated}: the resource's filters changed (nothing else did). */
  record ResourceUpdated(ResourceView resource) implements GatewayDelta {}

  /** Push {@code access_authorization_expiry_updated}: the pair's access now ends at this time. */
  record AccessAuthorizationExpiryUpdated(UUID clientId, UUID resourceId, Instant expiresAt)
      implements GatewayDelta {}

  /** The gateway was deleted or its account disabled: the owner closes the channel. */
  record Disconnect(String reason) implements GatewayDelta {}
}
