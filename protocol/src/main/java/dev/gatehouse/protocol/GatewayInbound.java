package dev.gatehouse.protocol;

import java.util.List;
import java.util.UUID;

/** Messages a gateway sends to the API node over its channel. */
public sealed interface GatewayInbound extends Message {

  /**
   * The gateway installed the flow of an {@link GatewayOutbound.AuthorizeFlow} whose {@code ref}
   * this is; the API node then answers the client with {@code flow_created}.
   */
  record FlowAuthorized(String ref) implements GatewayInbound {
    public static final String EVENT = "flow_authorized";

    public FlowAuthorized {
      Require.text(ref, "ref");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /**
   * The gateway cannot install the flow of an {@link GatewayOutbound.AuthorizeFlow} whose {@code
   * ref} this is; the API node answers the client with {@code flow_creation_failed} and {@code
   * reason}.
   *
   * @param reason a code such as {@value ClientOutbound.FlowCreationFailed#UNRESOLVABLE}
   * @param detail what went wrong, for the client's log
   */
  record FlowAuthorizationFailed(String ref, String reason, String detail)
      implements GatewayInbound {
    public static final String EVENT = "flow_authorization_failed";

    public FlowAuthorizationFailed {
      Require.text(ref, "ref");
      Require.text(reason, "reason");
      detail = detail == null ? "" : detail;
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** ICE/endpoint candidates for the listed clients (relayed as {@code ice_candidates}). */
  record BroadcastIceCandidates(List<String> candidates, List<UUID> clientIds)
      implements GatewayInbound {
    public static final String EVENT = "broadcast_ice_candidates";

    public BroadcastIceCandidates {
      candidates = Require.list(candidates);
      clientIds = Require.list(clientIds);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }
}
