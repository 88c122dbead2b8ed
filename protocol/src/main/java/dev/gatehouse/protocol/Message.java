package dev.gatehouse.protocol;

/**
 * A control-channel message: the payload of an {@link Envelope}. Each message type has one event
 * name on the wire ({@link #event()}); the direction it may travel in is given by which sealed
 * interface it implements.
 */
public sealed interface Message
    permits ClientInbound, ClientOutbound, GatewayInbound, GatewayOutbound {

  /** The event name on the wire, e.g. {@code create_flow}. */
  String event();
}
