package dev.gatehouse.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** Messages the API node pushes to a client. */
public sealed interface ClientOutbound extends Message
    permits ClientOutbound.Init,
        ClientOutbound.ResourceCreatedOrUpdated,
        ClientOutbound.ResourceDeleted,
        ClientOutbound.FlowCreated,
        ClientOutbound.FlowCreationFailed,
        ClientOutbound.IceCandidates,
        ErrorReply,
        Disconnect,
        RelaysPresence {

  /**
   * First message after join: the resources the client may connect to now and its tunnel addresses.
   */
  record Init(
      UUID clientId,
      List<ResourceDescription> resources,
      @JsonProperty("interface") InterfaceAddresses interfaceAddresses,
      List<Relay> relays)
      implements ClientOutbound {
    public static final String EVENT = "init";

    public Init {
      Require.nonNull(clientId, "client_id");
      resources = Require.list(resources);
      Require.nonNull(interfaceAddresses, "interface");
      relays = Require.list(relays);
    }

    /** Without relays (an API node that knows none). */
    public Init(
        UUID clientId, List<ResourceDescription> resources, InterfaceAddresses interfaceAddresses) {
      this(clientId, resources, interfaceAddresses, List.of());
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** The client may now connect to this resource (new, or changed). */
  record ResourceCreatedOrUpdated(ResourceDescription resource) implements ClientOutbound {
    public static final String EVENT = "resource_created_or_updated";

    public ResourceCreatedOrUpdated {
      Require.nonNull(resource, "resource");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** The client may no longer connect to this resource. */
  record ResourceDeleted(UUID id) implements ClientOutbound {
    public static final String EVENT = "resource_deleted";

    public ResourceDeleted {
      Require.nonNull(id, "id");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /**
   * The answer to {@code create_flow} once the chosen gateway authorized the flow.
   *
   * @param gatewayEndpoint the gateway's WireGuard UDP endpoint ({@code host:port}), when known
   * @param expiresAt when the flow's authorization ends, in Unix seconds (0 = no end)
   */
  record FlowCreated(
      UUID resourceId,
      UUID flowId,
      String presharedKey,
      UUID siteId,
      UUID gatewayId,
      String gatewayPublicKey,
      String gatewayIpv4,
      String gatewayIpv6,
      String gatewayEndpoint,
      IceCredentials clientIceCredentials,
      IceCredentials gatewayIceCredentials,
      long expiresAt)
      implements ClientOutbound {
    public static final String EVENT = "flow_created";

    public FlowCreated {
      Require.nonNull(resourceId, "resource_id");
      Require.nonNull(flowId, "flow_id");
      Require.text(presharedKey, "preshared_key");
      Require.nonNull(gatewayId, "gateway_id");
      Require.text(gatewayPublicKey, "gateway_public_key");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /**
   * The answer to {@code create_flow} when no flow can be set up.
   *
   * @param reason {@code not_found}, {@code forbidden} (with {@code violated_properties}), {@code
   *     offline} (no compatible gateway online, or it did not answer) or {@code unresolvable} (the
   *     gateway could not resolve the {@code domain} of a {@code dns} resource)
   * @param detail optional, for the client's log (not sent when absent)
   */
  record FlowCreationFailed(
      UUID resourceId,
      String reason,
      List<String> violatedProperties,
      @JsonInclude(JsonInclude.Include.NON_NULL) String detail)
      implements ClientOutbound {
    public static final String EVENT = "flow_creation_failed";
    public static final String NOT_FOUND = "not_found";
    public static final String FORBIDDEN = "forbidden";
    public static final String OFFLINE = "offline";
    public static final String UNRESOLVABLE = "unresolvable";

    public FlowCreationFailed {
      Require.nonNull(resourceId, "resource_id");
      Require.text(reason, "reason");
      violatedProperties = Require.list(violatedProperties);
    }

    public FlowCreationFailed(UUID resourceId, String reason, List<String> violatedProperties) {
      this(resourceId, reason, violatedProperties, null);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** Candidates a gateway broadcast to this client. */
  record IceCandidates(UUID gatewayId, List<String> candidates) implements ClientOutbound {
    public static final String EVENT = "ice_candidates";

    public IceCandidates {
      Require.nonNull(gatewayId, "gateway_id");
      candidates = Require.list(candidates);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }
}
