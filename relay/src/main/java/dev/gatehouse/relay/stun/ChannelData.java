package dev.gatehouse.relay.stun;

import static dev.gatehouse.relay.stun.TurnProtocol.CHANNEL_DATA_HEADER_SIZE;

/**
 * RFC 8656 §12.4 ChannelData framing: a 16-bit channel number, a 16-bit length, the data, and
 * padding to a multiple of 4 bytes (optional over UDP, §12.5). Pure and total: {@link #parse} never
 * throws, and a parsed {@link Frame} points into the caller's buffer instead of copying.
 */
public final class ChannelData {
  private ChannelData() {}

  /** What {@link #parse} found. */
  public sealed interface Result {}

  /** A frame on {@code channel} whose data is {@code buf[dataOffset, dataOffset+dataLength)}. */
  public record Frame(int channel, int dataOffset, int dataLength) implements Result {}

  /** Not a ChannelData message. */
  public record Rejected(Reason reason) implements Result {}

  /** Why a datagram is not a ChannelData message. */
  public enum Reason {
    OUT_OF_BOUNDS,
    TOO_SHORT,
    /** The first two bits are not 0b01 (channel numbers 0x4000..0x7FFF). */
    NOT_CHANNEL_DATA,
    /** The length field claims more bytes than the datagram has. */
    TRUNCATED,
    /** More than 3 bytes follow the data, which padding cannot explain. */
    TRAILING_BYTES
  }

  /**
   * RFC 7983 / RFC 8656 §12: the first byte of a ChannelData message is 0x40..0x7F, which tells it
   * apart from STUN (0x00..0x03) on the same socket.
   */
  public static boolean looksLikeChannelData(byte first) {
    return (first & 0xC0) == 0x40;
  }

  /** Parses {@code buf[off, off+len)}. */
  public static Result parse(byte[] buf, int off, int len) {
    if (off < 0 || len < 0 || off > buf.length - len) {
      return new Rejected(Reason.OUT_OF_BOUNDS);
    }
    if (len < CHANNEL_DATA_HEADER_SIZE) {
      return new Rejected(Reason.TOO_SHORT);
    }
    if (!looksLikeChannelData(buf[off])) {
      return new Rejected(Reason.NOT_CHANNEL_DATA);
    }
    int channel = StunAttribute.u16(buf, off);
    int dataLength = StunAttribute.u16(buf, off + 2);
    int available = len - CHANNEL_DATA_HEADER_SIZE;
    if (dataLength > available) {
      return new Rejected(Reason.TRUNCATED);
    }
    if (available - dataLength > 3) {
      return new Rejected(Reason.TRAILING_BYTES);
    }
    return new Frame(channel, off + CHANNEL_DATA_HEADER_SIZE, dataLength);
  }

  /**
   * Frames {@code data[off, off+len)} on {@code channel}; {@code pad} rounds the frame up to a
   * multiple of 4 bytes with zeros (required over TCP, accepted by every UDP client).
   */
  public static byte[] encode(int channel, byte[] data, int off, int len, boolean pad) {
    if (len > 0xFFFF) {
      throw new IllegalArgumentException("ChannelData carries at most 65535 bytes: " + len);
    }
    int total = CHANNEL_DATA_HEADER_SIZE + len;
    if (pad) {
      total = (total + 3) & ~3;
    }
    byte[] out = new byte[total];
    out[0] = (byte) (channel >>> 8);
    out[1] = (byte) channel;
    out[2] = (byte) (len >>> 8);
    out[3] = (byte) len;
    System.arraycopy(data, off, out, CHANNEL_DATA_HEADER_SIZE, len);
    return out;
  }
}
