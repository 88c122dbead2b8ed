package dev.gatehouse.protocol;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.UUID;

/** Messages the API node pushes to a gateway. */
public sealed interface GatewayOutbound extends Message
    permits GatewayOutbound.Init,
        GatewayOutbound.AuthorizeFlow,
        GatewayOutbound.RejectAccess,
        GatewayOutbound.ResourceUpdated,
        GatewayOutbound.AccessAuthorizationExpiryUpdated,
        GatewayOutbound.IceCandidates,
        ErrorReply,
        Disconnect,
        RelaysPresence {

  /** One (client, resource) pair the gateway already serves, until {@code expiresAt}. */
  record Authorization(UUID clientId, UUID resourceId, long expiresAt) {
    public Authorization {
      Require.nonNull(clientId, "client_id");
      Require.nonNull(resourceId, "resource_id");
    }
  }

  /** Gateway configuration that may change without a restart. */
  record Config(boolean ipv4MasqueradeEnabled, boolean ipv6MasqueradeEnabled) {}

  /**
   * First message after join: current authorizations, tunnel addresses, config and the relays the
   * gateway may allocate on.
   */
  record Init(
      UUID gatewayId,
      List<Authorization> authorizations,
      @JsonProperty("interface") InterfaceAddresses interfaceAddresses,
      Config config,
      List<Relay> relays)
      implements GatewayOutbound {
    public static final String EVENT = "init";

    public Init {
      Require.nonNull(gatewayId, "gateway_id");
      authorizations = Require.list(authorizations);
      Require.nonNull(interfaceAddresses, "interface");
      config = config == null ? new Config(true, true) : config;
      relays = Require.list(relays);
    }

    /** Without relays (an API node that knows none). */
    public Init(
        UUID gatewayId,
        List<Authorization> authorizations,
        InterfaceAddresses interfaceAddresses,
        Config config) {
      this(gatewayId, authorizations, interfaceAddresses, config, List.of());
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** The client peer of a flow: its key, the flow's preshared key and its tunnel addresses. */
  record ClientPeer(UUID id, String publicKey, String presharedKey, String ipv4, String ipv6) {
    public ClientPeer {
      Require.nonNull(id, "id");
      Require.text(publicKey, "public_key");
      Require.text(presharedKey, "preshared_key");
    }
  }

  /**
   * Lets a client reach a resource through this gateway until {@code expiresAt} (Unix seconds, 0 =
   * no end). The gateway answers {@code flow_authorized} with {@code ref}, or {@code
   * flow_authorization_failed} when it cannot serve it (a {@code domain} it cannot resolve).
   *
   * @param domain for a {@code dns} resource, the name to resolve and the client's proxy addresses
   *     for it; absent (not sent) otherwise
   */
  record AuthorizeFlow(
      String ref,
      UUID flowId,
      ResourceDescription resource,
      ClientPeer client,
      IceCredentials clientIceCredentials,
      IceCredentials gatewayIceCredentials,
      long expiresAt,
      @JsonInclude(JsonInclude.Include.NON_NULL) ProxiedDomain domain)
      implements GatewayOutbound {
    public static final String EVENT = "authorize_flow";

    public AuthorizeFlow {
      Require.text(ref, "ref");
      Require.nonNull(flowId, "flow_id");
      Require.nonNull(resource, "resource");
      Require.nonNull(client, "client");
    }

    /** A flow to an {@code ip} or {@code cidr} resource. */
    public AuthorizeFlow(
        String ref,
        UUID flowId,
        ResourceDescription resource,
        ClientPeer client,
        IceCredentials clientIceCredentials,
        IceCredentials gatewayIceCredentials,
        long expiresAt) {
      this(
          ref,
          flowId,
          resource,
          client,
          clientIceCredentials,
          gatewayIceCredentials,
          expiresAt,
          null);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** Drop the client's access to the resource now. */
  record RejectAccess(UUID clientId, UUID resourceId) implements GatewayOutbound {
    public static final String EVENT = "reject_access";

    public RejectAccess {
      Require.nonNull(clientId, "client_id");
      Require.nonNull(resourceId, "resource_id");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** The resource's filters changed (nothing else did). */
  record ResourceUpdated(ResourceDescription resource) implements GatewayOutbound {
    public static final String EVENT = "resource_updated";

    public ResourceUpdated {
      Require.nonNull(resource, "resource");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** The pair's access now ends at {@code expiresAt} (Unix seconds, 0 = no end). */
  record AccessAuthorizationExpiryUpdated(UUID clientId, UUID resourceId, long expiresAt)
      implements GatewayOutbound {
    public static final String EVENT = "access_authorization_expiry_updated";

    public AccessAuthorizationExpiryUpdated {
      Require.nonNull(clientId, "client_id");
      Require.nonNull(resourceId, "resource_id");
    }

    @Override
    public String event() {
      return EVENT;
    }
  }

  /** Candidates a client broadcast to this gateway. */
  record IceCandidates(UUID clientId, List<String> candidates) implements GatewayOutbound {
    public static final String EVENT = "ice_candidates";

    public IceCandidates {
      Require.nonNull(clientId, "client_id");
      candidates = Require.list(candidates);
    }

    @Override
    public String event() {
      return EVENT;
    }
  }
}
