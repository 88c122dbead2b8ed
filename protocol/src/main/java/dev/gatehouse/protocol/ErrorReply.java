package dev.gatehouse.protocol;

/**
 * The API node's answer to a message it could not accept (event {@code error}); its envelope
 * carries the ref of the offending message, when there was one. The channel stays open.
 *
 * @param reason a stable code: {@code malformed_json}, {@code not_an_envelope}, {@code
 *     unsupported_version}, {@code unknown_event}, {@code invalid_payload}, {@code too_large},
 *     {@code out_of_turn}, {@code rate_limited}
 * @param detail a human-readable explanation
 */
public record ErrorReply(String reason, String detail) implements ClientOutbound, GatewayOutbound {

  public static final String EVENT = "error";

  public ErrorReply {
    Require.text(reason, "reason");
    detail = detail == null ? "" : detail;
  }

  @Override
  public String event() {
    return EVENT;
  }
}
