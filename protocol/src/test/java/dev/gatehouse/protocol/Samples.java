package dev.gatehouse.protocol;

import java.util.List;
import java.util.UUID;

/** One instance of every message, for round trips and mutation tests. */
final class Samples {

  private Samples() {}

  static final UUID A = UUID.fromString("00000000-0000-0000-0000-00000000000a");
  static final UUID B = UUID.fromString("00000000-0000-0000-0000-00000000000b");

  static final ResourceDescription RESOURCE =
      new ResourceDescription(
          A, "ip", "10.0.0.1", "dual", List.of(new Filter("tcp", 443, 443)), List.of(B));

  static final ResourceDescription DNS_RESOURCE =
      new ResourceDescription(B, "dns", "*.svc.test", "dual", List.of(), List.of(A));

  static final ProxiedDomain DOMAIN = new ProxiedDomain("web.svc.test", List.of("100.96.0.1"));
  static final Relay RELAY =
      new Relay(
          "relay-0",
          Relay.TURN,
          "203.0.113.7:3478",
          "1900000000:c2FsdA",
          "cGFzc3dvcmQ",
          1_900_000_000L);

  static List<Envelope<?>> all() {
    InterfaceAddresses iface = new InterfaceAddresses("100.64.0.1", "fd00:2021:1111::1");
    IceCredentials ice = new IceCredentials("u", "p");
    return List.of(
        Envelope.of("1", new ClientInbound.CreateFlow(A, List.of(B))),
        Envelope.of("3", new ClientInbound.CreateFlow(A, List.of(), DOMAIN)),
        Envelope.of(null, new ClientInbound.BroadcastIceCandidates(List.of("c1"), List.of(B))),
        Envelope.of("2", new GatewayInbound.FlowAuthorized("r-1")),
        Envelope.of(
            null,
            new GatewayInbound.FlowAuthorizationFailed(
                "r-2", ClientOutbound.FlowCreationFailed.UNRESOLVABLE, "web.svc.test: NXDOMAIN")),
        Envelope.of(null, new GatewayInbound.BroadcastIceCandidates(List.of("c"), List.of(A))),
        Envelope.of(null, new ClientOutbound.Init(A, List.of(RESOURCE), iface)),
        Envelope.of(null, new ClientOutbound.Init(A, List.of(RESOURCE), iface, List.of(RELAY))),
        Envelope.of(null, new ClientOutbound.ResourceCreatedOrUpdated(RESOURCE)),
        Envelope.of(null, new ClientOutbound.ResourceDeleted(A)),
        Envelope.of(
            "1",
            new ClientOutbound.FlowCreated(
                A,
                B,
                "psk",
                B,
                A,
                "gpk",
                "100.64.0.2",
                "fd00:2021:1111::2",
                "10.1.1.1:51820",
                ice,
                ice,
                1_900_000_000L)),
        Envelope.of(
            "1",
            new ClientOutbound.FlowCreationFailed(
                A, ClientOutbound.FlowCreationFailed.FORBIDDEN, List.of("remote_ip"))),
        Envelope.of(
            "2",
            new ClientOutbound.FlowCreationFailed(
                A, ClientOutbound.FlowCreationFailed.UNRESOLVABLE, List.of(), "no address")),
        Envelope.of(null, new ClientOutbound.IceCandidates(B, List.of("c"))),
        Envelope.of(
            null,
            new GatewayOutbound.Init(
                B,
                List.of(new GatewayOutbound.Authorization(A, B, 1_900_000_000L)),
                iface,
                new GatewayOutbound.Config(true, false))),
        Envelope.of(
            null,
            new GatewayOutbound.Init(
                B,
                List.of(),
                iface,
                null,
                List.of(
                    new Relay(
                        "relay-1",
                        Relay.TURN,
                        "[2001:db8::7]:3478",
                        "1900000000:c2FsdA",
                        "cGFzc3dvcmQ",
                        1_900_000_000L)))),
        Envelope.of(
            null,
            new GatewayOutbound.AuthorizeFlow(
                "r-1",
                B,
                RESOURCE,
                new GatewayOutbound.ClientPeer(A, "cpk", "psk", "100.64.0.1", "fd00:2021:1111::1"),
                ice,
                ice,
                0)),
        Envelope.of(
            null,
            new GatewayOutbound.AuthorizeFlow(
                "r-2",
                B,
                DNS_RESOURCE,
                new GatewayOutbound.ClientPeer(A, "cpk", "psk", "100.64.0.1", null),
                ice,
                ice,
                0,
                DOMAIN)),
        Envelope.of(null, new GatewayOutbound.RejectAccess(A, B)),
        Envelope.of(null, new GatewayOutbound.ResourceUpdated(RESOURCE)),
        Envelope.of(null, new GatewayOutbound.AccessAuthorizationExpiryUpdated(A, B, 5)),
        Envelope.of(null, new GatewayOutbound.IceCandidates(A, List.of("c"))),
        Envelope.of("9", new ErrorReply("unknown_event", "x")),
        Envelope.of(null, new Disconnect("token deleted", false)),
        Envelope.of(null, new RelaysPresence(List.of("relay-1"), List.of(RELAY))));
  }

  static Direction<?> directionOf(Message m) {
    return switch (m) {
      case ClientInbound c -> Direction.CLIENT_INBOUND;
      case GatewayInbound g -> Direction.GATEWAY_INBOUND;
      case ClientOutbound c -> Direction.CLIENT_OUTBOUND;
      case GatewayOutbound g -> Direction.GATEWAY_OUTBOUND;
    };
  }
}
