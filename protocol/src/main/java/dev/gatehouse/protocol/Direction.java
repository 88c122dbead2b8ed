package dev.gatehouse.protocol;

import java.util.Map;
import java.util.Set;

/**
 * One direction of one channel: which events may travel in it and which record each maps to. A
 * decoder for a direction refuses every other event as {@link DecodeError#UNKNOWN_EVENT}.
 */
public final class Direction<M extends Message> {

  public static final Direction<ClientInbound> CLIENT_INBOUND =
      new Direction<>(
          "client to API node",
          Map.of(
              ClientInbound.CreateFlow.EVENT, ClientInbound.CreateFlow.class,
              ClientInbound.BroadcastIceCandidates.EVENT,
                  ClientInbound.BroadcastIceCandidates.class));

  public static final Direction<ClientOutbound> CLIENT_OUTBOUND =
      new Direction<>(
          "API node to client",
          Map.of(
              ClientOutbound.Init.EVENT, ClientOutbound.Init.class,
              ClientOutbound.ResourceCreatedOrUpdated.EVENT,
                  ClientOutbound.ResourceCreatedOrUpdated.class,
              ClientOutbound.ResourceDeleted.EVENT, ClientOutbound.ResourceDeleted.class,
              ClientOutbound.FlowCreated.EVENT, ClientOutbound.FlowCreated.class,
              ClientOutbound.FlowCreationFailed.EVENT, ClientOutbound.FlowCreationFailed.class,
              ClientOutbound.IceCandidates.EVENT, ClientOutbound.IceCandidates.class,
              RelaysPresence.EVENT, RelaysPresence.class,
              ErrorReply.EVENT, ErrorReply.class,
              Disconnect.EVENT, Disconnect.class));

  public static final Direction<GatewayInbound> GATEWAY_INBOUND =
      new Direction<>(
          "gateway to API node",
          Map.of(
              GatewayInbound.FlowAuthorized.EVENT, GatewayInbound.FlowAuthorized.class,
              GatewayInbound.FlowAuthorizationFailed.EVENT,
                  GatewayInbound.FlowAuthorizationFailed.class,
              GatewayInbound.BroadcastIceCandidates.EVENT,
                  GatewayInbound.BroadcastIceCandidates.class));

  public static final Direction<GatewayOutbound> GATEWAY_OUTBOUND =
      new Direction<>(
          "API node to gateway",
          Map.of(
              GatewayOutbound.Init.EVENT, GatewayOutbound.Init.class,
              GatewayOutbound.AuthorizeFlow.EVENT, GatewayOutbound.AuthorizeFlow.class,
              GatewayOutbound.RejectAccess.EVENT, GatewayOutbound.RejectAccess.class,
              GatewayOutbound.ResourceUpdated.EVENT, GatewayOutbound.ResourceUpdated.class,
              GatewayOutbound.AccessAuthorizationExpiryUpdated.EVENT,
                  GatewayOutbound.AccessAuthorizationExpiryUpdated.class,
              GatewayOutbound.IceCandidates.EVENT, GatewayOutbound.IceCandidates.class,
              RelaysPresence.EVENT, RelaysPresence.class,
              ErrorReply.EVENT, ErrorReply.class,
              Disconnect.EVENT, Disconnect.class));

  private final String name;
  private final Map<String, Class<? extends M>> events;

  private Direction(String name, Map<String, Class<? extends M>> events) {
    this.name = name;
    this.events = Map.copyOf(events);
  }

  /** The record type for {@code event}, or null if the event does not travel this way. */
  Class<? extends M> typeOf(String event) {
    return events.get(event);
  }

  public Set<String> events() {
    return events.keySet();
  }

  @Override
  public String toString() {
    return name;
  }
}
