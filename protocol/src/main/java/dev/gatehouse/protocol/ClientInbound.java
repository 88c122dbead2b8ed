package dev.gatehouse.protocol;

import java.util.List;
import java.util.UUID;

/** Messages a client sends to the API node over its channel. */
public sealed interface ClientInbound extends Message {

  /**
   * Asks for a flow to a resource. Answered with {@link ClientOutbound.FlowCreated} or {@link
   * ClientOutbound.FlowCreationFailed} carrying this message's ref.
   *
   * @param connectedGatewayIds gateways the client already has tunnels to (preferred)
   */
  record CreateFlow(UUID resourceId, List<UUID> connectedGatewayIds) implements ClientInbound {
    public static final String EVENT = "create_flow";

    public CreateFlow {
      Require.nonNull(resourceId, "resource_id");
      connectedGatewayIds = Require.list(connectedGatewayIds);
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
