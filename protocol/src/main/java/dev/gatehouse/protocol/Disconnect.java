package dev.gatehouse.protocol;

/**
 * Sent just before the API node closes the channel (token deleted, device or gateway deleted,
 * account disabled, node shutting down). A peer should reconnect only when {@code reconnect}.
 */
public record Disconnect(String reason, boolean reconnect)
    implements ClientOutbound, GatewayOutbound {

  public static final String EVENT = "disconnect";

  public Disconnect {
    Require.text(reason, "reason");
  }

  @Override
  public String event() {
    return EVENT;
  }
}
