package dev.gatehouse.relay.stun;

import static dev.gatehouse.relay.stun.TurnProtocol.*;

import dev.gatehouse.relay.stun.StunParseResult.Parsed;
import dev.gatehouse.relay.stun.StunParseResult.Reason;
import dev.gatehouse.relay.stun.StunParseResult.Rejected;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * A STUN message (RFC 8489 §5, §14): class, method, transaction id and attributes in wire order.
 *
 * <p>A parsed message keeps a private copy of its datagram ({@code wire}) so that {@link
 * #verifyIntegrity} can recompute MESSAGE-INTEGRITY over the exact bytes that were received.
 * Attributes after MESSAGE-INTEGRITY other than FINGERPRINT are ignored, as RFC 8489 §14.5 asks.
 *
 * @param integrityOffset offset of the MESSAGE-INTEGRITY attribute in {@code wire}, or -1
 */
public record StunMessage(
    StunClass messageClass,
    int method,
    byte[] transactionId,
    List<StunAttribute> attributes,
    byte[] wire,
    int integrityOffset) {

  public StunMessage {
    attributes = List.copyOf(attributes);
  }

  /** The first attribute of {@code kind}, or null. */
  public <T extends StunAttribute> T attribute(Class<T> kind) {
    for (StunAttribute a : attributes) {
      if (kind.isInstance(a)) {
        return kind.cast(a);
      }
    }
    return null;
  }

  /** All attributes of {@code kind}, in wire order. */
  public <T extends StunAttribute> List<T> all(Class<T> kind) {
    List<T> out = new ArrayList<>();
    for (StunAttribute a : attributes) {
      if (kind.isInstance(a)) {
        out.add(kind.cast(a));
      }
    }
    return out;
  }

  /** Whether {@link StunAttribute.MessageIntegrity} is present. */
  public boolean hasIntegrity() {
    return integrityOffset >= 0;
  }

  /**
   * RFC 8489 §14.5: recomputes the HMAC-SHA1 over the header (length adjusted to end at
   * MESSAGE-INTEGRITY) and the attributes before it, and compares in constant time. False when
   * there is no MESSAGE-INTEGRITY.
   */
  public boolean verifyIntegrity(byte[] key) {
    if (integrityOffset < 0) {
      return false;
    }
    byte[] covered = Arrays.copyOf(wire, integrityOffset);
    int length = integrityOffset - HEADER_SIZE + 4 + MESSAGE_INTEGRITY_SIZE;
    covered[2] = (byte) (length >>> 8);
    covered[3] = (byte) length;
    byte[] expected = StunIntegrity.hmacSha1(key, covered, 0, covered.length);
    byte[] received =
        Arrays.copyOfRange(wire, integrityOffset + 4, integrityOffset + 4 + MESSAGE_INTEGRITY_SIZE);
    return StunIntegrity.macEquals(expected, received);
  }

  /** Two messages are equal when their wire bytes are. */
  @Override
  public boolean equals(Object o) {
    return o instanceof StunMessage m && Arrays.equals(wire, m.wire);
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(wire);
  }

  @Override
  public String toString() {
    return String.format(
        "StunMessage[%s 0x%03x tx=%s %s]",
        messageClass, method, HexFormat.of().formatHex(transactionId), attributes);
  }

  // ------------------------------------------------------------------ message type

  /** RFC 8489 §5: interleaves the 12 method bits M0..M11 with the class bits C0 (4), C1 (8). */
  static int messageType(int method, StunClass cls) {
    int c = cls.bits();
    return (method & 0x000F)
        | ((method & 0x0070) << 1)
        | ((method & 0x0F80) << 2)
        | ((c & 0b01) << 4)
        | ((c & 0b10) << 7);
  }

  static int methodOf(int type) {
    return (type & 0x000F) | ((type >>> 1) & 0x0070) | ((type >>> 2) & 0x0F80);
  }

  static StunClass classOf(int type) {
    return StunClass.ofBits(((type >>> 4) & 0b01) | ((type >>> 7) & 0b10));
  }

  /**
   * Quick demultiplexing test (RFC 7983): zero top bits, room for a header and the magic cookie.
   */
  public static boolean looksLikeStun(byte[] buf, int off, int len) {
    return off >= 0
        && len >= HEADER_SIZE
        && off <= buf.length - len
        && (buf[off] & 0xC0) == 0
        && (int) StunAttribute.u32(buf, off + 4) == MAGIC_COOKIE;
  }

  // ------------------------------------------------------------------ parsing

  /**
   * Parses one STUN message from {@code buf[off, off+len)} (one UDP datagram). Total: every input
   * yields {@link Parsed} or {@link Rejected}.
   */
  public static StunParseResult parse(byte[] buf, int off, int len) {
    if (buf == null || off < 0 || len < 0 || off > buf.length - len) {
      return new Rejected(Reason.OUT_OF_BOUNDS);
    }
    if (len < HEADER_SIZE) {
      return new Rejected(Reason.TOO_SHORT);
    }
    if ((buf[off] & 0xC0) != 0) {
      return new Rejected(Reason.NOT_STUN);
    }
    if ((int) StunAttribute.u32(buf, off + 4) != MAGIC_COOKIE) {
      return new Rejected(Reason.BAD_MAGIC_COOKIE);
    }
    int bodyLength = StunAttribute.u16(buf, off + 2);
    if (bodyLength % ATTRIBUTE_ALIGNMENT != 0 || HEADER_SIZE + bodyLength != len) {
      return new Rejected(Reason.BAD_LENGTH);
    }
    byte[] wire = Arrays.copyOfRange(buf, off, off + len);
    int type = StunAttribute.u16(wire, 0);
    byte[] transactionId = Arrays.copyOfRange(wire, 8, HEADER_SIZE);

    List<StunAttribute> attributes = new ArrayList<>();
    int integrityOffset = -1;
    boolean fingerprintSeen = false;
    int pos = HEADER_SIZE;
    while (pos < len) {
      if (fingerprintSeen) {
        return new Rejected(Reason.ATTRIBUTE_AFTER_FINGERPRINT);
      }
      if (len - pos < 4) {
        return new Rejected(Reason.TRUNCATED_ATTRIBUTE);
      }
      int attrType = StunAttribute.u16(wire, pos);
      int attrLength = StunAttribute.u16(wire, pos + 2);
      int padded = (attrLength + 3) & ~3;
      if (padded > len - pos - 4) {
        return new Rejected(Reason.TRUNCATED_ATTRIBUTE);
      }
      if (attrType == ATTR_FINGERPRINT) {
        fingerprintSeen = true;
        if (attrLength != 4
            || (int) StunAttribute.u32(wire, pos + 4) != StunIntegrity.fingerprint(wire, 0, pos)) {
          return new Rejected(Reason.BAD_FINGERPRINT);
        }
      }
      if (integrityOffset < 0 || attrType == ATTR_FINGERPRINT) {
        StunAttribute a = StunAttribute.decode(attrType, wire, pos + 4, attrLength, transactionId);
        if (a == null) {
          return new Rejected(Reason.MALFORMED_ATTRIBUTE);
        }
        if (attrType == ATTR_MESSAGE_INTEGRITY) {
          integrityOffset = pos;
        }
        attributes.add(a);
      }
      pos += 4 + padded;
    }
    return new Parsed(
        new StunMessage(
            classOf(type), methodOf(type), transactionId, attributes, wire, integrityOffset));
  }

  // ------------------------------------------------------------------ encoding

  /** A builder for a message of {@code cls} and {@code method} with {@code transactionId}. */
  public static Builder builder(StunClass cls, int method, byte[] transactionId) {
    return new Builder(cls, method, transactionId);
  }

  /**
   * Encodes attributes in the order added, then optionally MESSAGE-INTEGRITY and FINGERPRINT (RFC
   * 8489 §14.5, §14.7: the length field covers each of them while it is computed).
   */
  public static final class Builder {
    private final StunClass cls;
    private final int method;
    private final byte[] transactionId;
    private final List<StunAttribute> attributes = new ArrayList<>();
    private byte padding;

    private Builder(StunClass cls, int method, byte[] transactionId) {
      if (transactionId.length != TRANSACTION_ID_SIZE) {
        throw new IllegalArgumentException("transaction id must be 12 bytes");
      }
      this.cls = cls;
      this.method = method;
      this.transactionId = transactionId.clone();
    }

    /** Appends an attribute. */
    public Builder add(StunAttribute attribute) {
      attributes.add(attribute);
      return this;
    }

    /**
     * The byte used to pad attribute values (zero by default). RFC 8489 §14 lets padding be any
     * value; the RFC 5769 test vectors use spaces, so tests can reproduce them byte for byte.
     */
    public Builder padding(byte value) {
      this.padding = value;
      return this;
    }

    /** The message without MESSAGE-INTEGRITY or FINGERPRINT. */
    public byte[] encode() {
      return encode(null, false);
    }

    /**
     * The message; with a {@code key} it ends with MESSAGE-INTEGRITY, with {@code fingerprint} with
     * FINGERPRINT after that.
     */
    public byte[] encode(byte[] key, boolean fingerprint) {
      Bytes out = new Bytes();
      int type = messageType(method, cls);
      out.u16(type).u16(0).u32(MAGIC_COOKIE).raw(transactionId);
      for (StunAttribute a : attributes) {
        writeAttribute(out, a.type(), StunAttribute.encodeValue(a, transactionId));
      }
      if (key != null) {
        out.setLength(out.size() - HEADER_SIZE + 4 + MESSAGE_INTEGRITY_SIZE);
        byte[] hmac = StunIntegrity.hmacSha1(key, out.array(), 0, out.size());
        writeAttribute(out, ATTR_MESSAGE_INTEGRITY, hmac);
      }
      if (fingerprint) {
        out.setLength(out.size() - HEADER_SIZE + 8);
        int crc = StunIntegrity.fingerprint(out.array(), 0, out.size());
        writeAttribute(out, ATTR_FINGERPRINT, StunAttribute.be32(crc));
      }
      out.setLength(out.size() - HEADER_SIZE);
      return out.toByteArray();
    }

    private void writeAttribute(Bytes out, int type, byte[] value) {
      if (value.length > 0xFFFF) {
        throw new IllegalArgumentException("attribute value too long: " + value.length);
      }
      out.u16(type).u16(value.length).raw(value);
      for (int i = value.length; i % ATTRIBUTE_ALIGNMENT != 0; i++) {
        out.raw(new byte[] {padding});
      }
    }
  }

  /** A growable byte array with big-endian writers and a settable STUN length field. */
  private static final class Bytes {
    private byte[] buf = new byte[256];
    private int size;

    Bytes u16(int v) {
      return raw(new byte[] {(byte) (v >>> 8), (byte) v});
    }

    Bytes u32(int v) {
      return raw(StunAttribute.be32(v));
    }

    Bytes raw(byte[] b) {
      if (size + b.length > buf.length) {
        buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + b.length));
      }
      System.arraycopy(b, 0, buf, size, b.length);
      size += b.length;
      return this;
    }

    void setLength(int length) {
      buf[2] = (byte) (length >>> 8);
      buf[3] = (byte) length;
    }

    int size() {
      return size;
    }

    byte[] array() {
      return buf;
    }

    byte[] toByteArray() {
      return Arrays.copyOf(buf, size);
    }
  }
}
