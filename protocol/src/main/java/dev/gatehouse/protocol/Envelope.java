package dev.gatehouse.protocol;

import java.util.Objects;

/**
 * What travels in one WebSocket text frame: {@code {"v":1,"event":"create_flow","ref":"7",
 * "payload":{...}}}.
 *
 * @param version the protocol version the sender wrote ({@link ProtocolVersion})
 * @param ref the sender's reference, echoed by the answer to a request (replies and errors carry
 *     the ref of the message they answer); null for unsolicited pushes
 * @param payload the message; its event name is {@link Message#event()}
 */
public record Envelope<M extends Message>(int version, String ref, M payload) {

  public Envelope {
    Objects.requireNonNull(payload, "payload");
  }

  /** An envelope of the current version. */
  public static <M extends Message> Envelope<M> of(String ref, M payload) {
    return new Envelope<>(ProtocolVersion.CURRENT, ref, payload);
  }

  public String event() {
    return payload.event();
  }
}
