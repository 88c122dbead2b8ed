package dev.gatehouse.relay.turn;

import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.TurnProtocol;
import java.net.InetSocketAddress;
import java.util.Arrays;

/**
 * Builds the messages the relay sends: responses (RFC 8489 §6.3) and Data indications (RFC 8656
 * §11.4). Responses to authenticated requests carry MESSAGE-INTEGRITY under the request's key (RFC
 * 8489 §9.2.4); every response ends with FINGERPRINT. Indications carry neither.
 */
final class TurnReplies {
  private final String software;

  TurnReplies(String software) {
    this.software = software;
  }

  /** A success response; {@code key} null for unauthenticated methods (Binding). */
  byte[] success(int method, byte[] transactionId, byte[] key, StunAttribute... attributes) {
    StunMessage.Builder b = StunMessage.builder(StunClass.SUCCESS_RESPONSE, method, transactionId);
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    return finish(b, key);
  }

  /** An error response; {@code key} null when the request was not (yet) authenticated. */
  byte[] error(
      int method, byte[] transactionId, byte[] key, int code, StunAttribute... attributes) {
    return error(method, transactionId, key, code, reasonPhrase(code), attributes);
  }

  /** An error response with a specific reason phrase. */
  byte[] error(
      int method,
      byte[] transactionId,
      byte[] key,
      int code,
      String reason,
      StunAttribute... attributes) {
    StunMessage.Builder b = StunMessage.builder(StunClass.ERROR_RESPONSE, method, transactionId);
    b.add(new StunAttribute.ErrorCode(code, reason));
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    return finish(b, key);
  }

  /** RFC 8656 §11.4: a Data indication carrying {@code data[off, off+len)} from {@code peer}. */
  byte[] dataIndication(
      byte[] transactionId, InetSocketAddress peer, byte[] data, int off, int len) {
    return StunMessage.builder(StunClass.INDICATION, TurnProtocol.METHOD_DATA, transactionId)
        .add(new StunAttribute.XorPeerAddress(peer))
        .add(new StunAttribute.Data(Arrays.copyOfRange(data, off, off + len)))
        .encode();
  }

  private byte[] finish(StunMessage.Builder b, byte[] key) {
    if (software != null) {
      b.add(new StunAttribute.Software(software));
    }
    return b.encode(key, true);
  }

  /** RFC 8489 §14.8 and RFC 8656: the registered reason phrases. */
  static String reasonPhrase(int code) {
    return switch (code) {
      case 400 -> "Bad Request";
      case 401 -> "Unauthenticated";
      case 403 -> "Forbidden";
      case 420 -> "Unknown Attribute";
      case 437 -> "Allocation Mismatch";
      case 438 -> "Stale Nonce";
      case 440 -> "Address Family not Supported";
      case 441 -> "Wrong Credentials";
      case 442 -> "Unsupported Transport Protocol";
      case 443 -> "Peer Address Family Mismatch";
      case 486 -> "Allocation Quota Reached";
      case 508 -> "Insufficient Capacity";
      default -> "Error";
    };
  }
}
