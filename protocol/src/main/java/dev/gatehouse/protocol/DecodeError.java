package dev.gatehouse.protocol;

/**
 * Why a frame could not be decoded. {@code ref} and {@code event} are whatever could be read from
 * the frame (null when not even that), so the answer can carry the offending message's ref.
 *
 * @param reason one of the constants below (the {@link ErrorReply#reason()} sent back)
 */
public record DecodeError(String reason, String ref, String event, String detail) {

  public static final String TOO_LARGE = "too_large";
  public static final String MALFORMED_JSON = "malformed_json";
  public static final String NOT_AN_ENVELOPE = "not_an_envelope";
  public static final String UNSUPPORTED_VERSION = "unsupported_version";
  public static final String UNKNOWN_EVENT = "unknown_event";
  public static final String INVALID_PAYLOAD = "invalid_payload";

  /** The error reply to send back for this failure. */
  public ErrorReply toReply() {
    return new ErrorReply(reason, detail);
  }
}
