package dev.gatehouse.protocol;

import java.util.List;

/**
 * Relays that went away and relays to use now, as Firezone's {@code relays_presence}. The API node
 * sends it with fresh credentials for every relay before those it handed out expire, so a peer
 * connected for longer than their lifetime keeps its relays: {@code connected} is then the whole
 * list, and replaces the previous one.
 */
public record RelaysPresence(List<String> disconnectedIds, List<Relay> connected)
    implements ClientOutbound, GatewayOutbound {

  public static final String EVENT = "relays_presence";

  public RelaysPresence {
    disconnectedIds = Require.list(disconnectedIds);
    connected = Require.list(connected);
  }

  @Override
  public String event() {
    return EVENT;
  }
}
