package dev.gatehouse.protocol;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * JSON codec for {@link Envelope}s: field names in snake_case, UUIDs as strings, times as Unix
 * seconds. Decoding never throws: any input (bad JSON, wrong shapes, unknown events, oversized
 * frames, hostile nesting) gives a {@link Decoded.Failed} with a {@link DecodeError}. Unknown
 * payload fields are ignored (a newer peer may add optional fields within a version). Thread-safe
 * and stateless; share one instance.
 */
public final class ControlCodec {

  /** Frames longer than this (in chars) are refused without being parsed. */
  public static final int MAX_FRAME_CHARS = 64 * 1024;

  private static final int MAX_NESTING = 32;

  private final ObjectMapper mapper;

  public ControlCodec() {
    JsonFactory factory =
        JsonFactory.builder()
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(MAX_FRAME_CHARS)
                    .maxNumberLength(64)
                    .build())
            .build();
    mapper =
        JsonMapper.builder(factory)
            .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();
  }

  /** Encodes an envelope as one JSON text. */
  public String encode(Envelope<?> envelope) {
    ObjectNode root = mapper.createObjectNode();
    root.put("v", envelope.version());
    root.put("event", envelope.event());
    if (envelope.ref() != null) {
      root.put("ref", envelope.ref());
    }
    root.set("payload", mapper.valueToTree(envelope.payload()));
    try {
      return mapper.writeValueAsString(root);
    } catch (JacksonException e) {
      throw new IllegalStateException("cannot encode " + envelope.event(), e);
    }
  }

  /** Decodes one frame travelling in {@code direction}. Never throws. */
  public <M extends Message> Decoded<M> decode(String text, Direction<M> direction) {
    try {
      return decodeOrFail(text, direction);
    } catch (RuntimeException | StackOverflowError e) {
      // Defensive: nothing above should escape, but a decoder must never take a channel down.
      return failed(DecodeError.MALFORMED_JSON, null, null, "undecodable frame: " + e);
    }
  }

  private <M extends Message> Decoded<M> decodeOrFail(String text, Direction<M> direction) {
    if (text == null || text.isEmpty()) {
      return failed(DecodeError.MALFORMED_JSON, null, null, "empty frame");
    }
    if (text.length() > MAX_FRAME_CHARS) {
      return failed(
          DecodeError.TOO_LARGE,
          null,
          null,
          "frame of " + text.length() + " chars exceeds " + MAX_FRAME_CHARS);
    }
    JsonNode root;
    try {
      root = mapper.readTree(text);
    } catch (JacksonException e) {
      return failed(DecodeError.MALFORMED_JSON, null, null, firstLine(e.getOriginalMessage()));
    }
    if (root == null || !root.isObject()) {
      return failed(DecodeError.NOT_AN_ENVELOPE, null, null, "a frame must be a JSON object");
    }
    JsonNode refNode = root.get("ref");
    String ref =
        refNode != null && refNode.isValueNode() && !refNode.isNull() ? refNode.asText() : null;
    if (ref != null && ref.length() > 128) {
      return failed(DecodeError.NOT_AN_ENVELOPE, null, null, "ref longer than 128 chars");
    }
    JsonNode eventNode = root.get("event");
    if (eventNode == null || !eventNode.isTextual()) {
      return failed(DecodeError.NOT_AN_ENVELOPE, ref, null, "missing string field event");
    }
    String event = eventNode.asText();
    JsonNode versionNode = root.get("v");
    if (versionNode == null || !versionNode.isInt()) {
      return failed(DecodeError.NOT_AN_ENVELOPE, ref, event, "missing integer field v");
    }
    int version = versionNode.asInt();
    if (!ProtocolVersion.supported(version)) {
      return failed(
          DecodeError.UNSUPPORTED_VERSION,
          ref,
          event,
          "protocol version "
              + version
              + " not supported (supported: "
              + ProtocolVersion.MINIMUM
              + ".."
              + ProtocolVersion.CURRENT
              + ")");
    }
    Class<? extends M> type = direction.typeOf(event);
    if (type == null) {
      return failed(
          DecodeError.UNKNOWN_EVENT,
          ref,
          event,
          "unknown event "
              + abbreviate(event)
              + " for "
              + direction
              + "; expected one of "
              + direction.events().stream().sorted().toList());
    }
    JsonNode payload = root.get("payload");
    if (payload == null || payload.isNull()) {
      payload = mapper.createObjectNode();
    }
    if (!payload.isObject()) {
      return failed(DecodeError.INVALID_PAYLOAD, ref, event, "payload must be a JSON object");
    }
    M message;
    try {
      message = mapper.treeToValue(payload, type);
    } catch (ValueInstantiationException e) {
      Throwable cause = e.getCause() != null ? e.getCause() : e;
      return failed(DecodeError.INVALID_PAYLOAD, ref, event, event + ": " + cause.getMessage());
    } catch (JacksonException | IllegalArgumentException e) {
      String detail = e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
      return failed(DecodeError.INVALID_PAYLOAD, ref, event, event + ": " + firstLine(detail));
    }
    if (message == null) {
      return failed(DecodeError.INVALID_PAYLOAD, ref, event, event + ": empty payload");
    }
    return new Decoded.Ok<>(new Envelope<>(version, ref, message));
  }

  private static <M extends Message> Decoded<M> failed(
      String reason, String ref, String event, String detail) {
    return new Decoded.Failed<>(new DecodeError(reason, ref, event, detail));
  }

  private static String abbreviate(String s) {
    return s.length() > 64 ? s.substring(0, 64) + "…" : s;
  }

  private static String firstLine(String s) {
    if (s == null) {
      return "invalid input";
    }
    int nl = s.indexOf('\n');
    String line = nl < 0 ? s : s.substring(0, nl);
    return line.length() > 300 ? line.substring(0, 300) + "…" : line;
  }
}
