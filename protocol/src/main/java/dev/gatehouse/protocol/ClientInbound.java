package dev.gatehouse.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.UUID;

/** Messages a client sends to the API node over its channel. */
public sealed interface ClientInbound extends Message {

  /**
   * Asks for a flow to a resource. Answered with {@link ClientOutbound.FlowCreated} or {@link
   * ClientOutbound.FlowCreationFailed} carrying this message's ref.
   *
   * @param connectedGatewayIds gateways the client already has tunnels to (preferred)
   * @param domain for a {@code dns} resource: the name the client resolved under it and the proxy
   *     addresses it handed out; absent (not sent) for other resources. A new name under a wildcard
   *     resource that already has a flow is asked for with another {@code create_flow}.
   */
  record CreateFlow(
      UUID resourceId,
      List<UUID> connectedGatewayIds,
      @JsonInclude(JsonInclude.Include.NON_NULL) ProxiedDomain domain)
      implements ClientInbound {
    public static final String EVENT = "create_flow";

    public CreateFlow {
      Require.nonNull(resourceId, "resource_id");
      connectedGatewayIds = Require.list(connectedGatewayIds);
    }

    /** A flow to an {@code ip} or {@code cidr} resource. */
    public CreateFlow(UUID resourceId, List<UUID> connectedGatewayIds) {
      this(resourceId, connectedGatewayIds, null);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** ICE/endpoint candidates for the listed gateways (relayed as {@code ice_candidates}). */
  record BroadcastIceCandidates(List<String> candidates, List<UUID> gatewayIds)
      implements ClientInbound {
    public static final String EVENT = "broadcast_ice_candidates";

    public BroadcastIceCandidates {
      candidates = Require.list(candidates);
      gatewayIds = Require.list(gatewayIds);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }
}
