package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.*;

import java.util.Arrays;

/**
 * The four WireGuard message layouts (§5.4.2, §5.4.3, §5.4.6, §5.4.7) as records, with a total
 * parser: {@link #parse} never throws and reports anything that is not a well-formed message as
 * {@link Invalid}. Integers on the wire are little-endian.
 */
public sealed interface Message {

  /** §5.4.2: type 1. {@code raw} is the whole 148-byte message (needed for mac checks). */
  record HandshakeInitiation(
      int sender, byte[] ephemeral, byte[] encryptedStatic, byte[] encryptedTimestamp, byte[] raw)
      implements Message {
    /** Offset of mac1 in the message: everything before it is covered by mac1. */
    public static final int MAC1_OFFSET = 116;

    /** Offset of mac2: everything before it is covered by mac2. */
    public static final int MAC2_OFFSET = 132;
  }

  /** §5.4.3: type 2. */
  record HandshakeResponse(
      int sender, int receiver, byte[] ephemeral, byte[] encryptedNothing, byte[] raw)
      implements Message {
    public static final int MAC1_OFFSET = 60;
    public static final int MAC2_OFFSET = 76;
  }

  /** §5.4.7: type 3. */
  record CookieReply(int receiver, byte[] nonce, byte[] encryptedCookie) implements Message {}

  /** §5.4.6: type 4, header only; the payload stays in the caller's buffer. */
  record TransportHeader(int receiver, long counter, int payloadLength) implements Message {}

  /** Anything else, with a reason for counters and logs. */
  record Invalid(String reason) implements Message {}

  /** Parses {@code len} bytes at {@code off}; never throws for any input. */
  static Message parse(byte[] b, int off, int len) {
    if (b == null || off < 0 || len < 4 || off + len > b.length || off + len < 0) {
      return new Invalid("too short");
    }
    if (b[off + 1] != 0 || b[off + 2] != 0 || b[off + 3] != 0) {
      return new Invalid("reserved bytes not zero");
    }
    byte type = b[off];
    return switch (type) {
      case TYPE_INITIATION ->
          len != INITIATION_SIZE
              ? new Invalid("initiation length " + len)
              : new HandshakeInitiation(
                  le32(b, off + 4),
                  Arrays.copyOfRange(b, off + 8, off + 40),
                  Arrays.copyOfRange(b, off + 40, off + 88),
                  Arrays.copyOfRange(b, off + 88, off + 116),
                  Arrays.copyOfRange(b, off, off + len));
      case TYPE_RESPONSE ->
          len != RESPONSE_SIZE
              ? new Invalid("response length " + len)
              : new HandshakeResponse(
                  le32(b, off + 4),
                  le32(b, off + 8),
                  Arrays.copyOfRange(b, off + 12, off + 44),
                  Arrays.copyOfRange(b, off + 44, off + 60),
                  Arrays.copyOfRange(b, off, off + len));
      case TYPE_COOKIE_REPLY ->
          len != COOKIE_REPLY_SIZE
              ? new Invalid("cookie reply length " + len)
              : new CookieReply(
                  le32(b, off + 4),
                  Arrays.copyOfRange(b, off + 8, off + 32),
                  Arrays.copyOfRange(b, off + 32, off + 64));
      case TYPE_TRANSPORT ->
          len < TRANSPORT_MIN_SIZE
              ? new Invalid("transport length " + len)
              : new TransportHeader(
                  le32(b, off + 4), le64(b, off + 8), len - TRANSPORT_HEADER_SIZE);
      default -> new Invalid("unknown type " + (type & 0xff));
    };
  }

  /** Writes a handshake initiation without macs (they are added by {@link CookieGenerator}). */
  static byte[] writeInitiation(int sender, byte[] ephemeral, byte[] encStatic, byte[] encTs) {
    byte[] m = new byte[INITIATION_SIZE];
    m[0] = TYPE_INITIATION;
    putLe32(m, 4, sender);
    System.arraycopy(ephemeral, 0, m, 8, 32);
    System.arraycopy(encStatic, 0, m, 40, 48);
    System.arraycopy(encTs, 0, m, 88, 28);
    return m;
  }

  /** Writes a handshake response without macs. */
  static byte[] writeResponse(int sender, int receiver, byte[] ephemeral, byte[] encNothing) {
    byte[] m = new byte[RESPONSE_SIZE];
    m[0] = TYPE_RESPONSE;
    putLe32(m, 4, sender);
    putLe32(m, 8, receiver);
    System.arraycopy(ephemeral, 0, m, 12, 32);
    System.arraycopy(encNothing, 0, m, 44, 16);
    return m;
  }

  /** Writes a cookie reply. */
  static byte[] writeCookieReply(int receiver, byte[] nonce, byte[] encCookie) {
    byte[] m = new byte[COOKIE_REPLY_SIZE];
    m[0] = TYPE_COOKIE_REPLY;
    putLe32(m, 4, receiver);
    System.arraycopy(nonce, 0, m, 8, 24);
    System.arraycopy(encCookie, 0, m, 32, 32);
    return m;
  }

  static int le32(byte[] b, int off) {
    return (b[off] & 0xff)
        | (b[off + 1] & 0xff) << 8
        | (b[off + 2] & 0xff) << 16
        | (b[off + 3] & 0xff) << 24;
  }

  static long le64(byte[] b, int off) {
    return (le32(b, off) & 0xffffffffL) | ((long) le32(b, off + 4) << 32);
  }

  static void putLe32(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >>> 8);
    b[off + 2] = (byte) (v >>> 16);
    b[off + 3] = (byte) (v >>> 24);
  }

  static void putLe64(byte[] b, int off, long v) {
    putLe32(b, off, (int) v);
    putLe32(b, off + 4, (int) (v >>> 32));
  }
}
