package dev.gatehouse.controlplane.cache;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Short strings (resource addresses) stored back to back in one byte array: each entry is a 2-byte
 * length and its UTF-8 bytes, referred to by its offset. Saves the 16-byte header and padding of a
 * byte array per entry. Removed entries become garbage; when garbage exceeds half the used space,
 * {@link #compact(int[], int)} rewrites the array and the owner's offsets. Not thread-safe.
 */
final class TextArena {

  /** Offset meaning "no text" (null). */
  static final int NONE = -1;

  private static final int MAX_BYTES = 0xffff;

  private byte[] data;
  private int used;
  private int garbage;

  TextArena(int expectedBytes) {
    data = new byte[Math.max(16, expectedBytes)];
  }

  /** Stores {@code text}; returns its offset, or {@link #NONE} for null. */
  int add(String text) {
    if (text == null) {
      return NONE;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    if (bytes.length > MAX_BYTES) {
      throw new IllegalArgumentException("text longer than " + MAX_BYTES + " bytes");
    }
    if (used + 2 + bytes.length > data.length) {
      data =
          Arrays.copyOf(data, Math.max(data.length + (data.length >> 1), used + 2 + bytes.length));
    }
    int offset = used;
    data[used++] = (byte) (bytes.length >>> 8);
    data[used++] = (byte) bytes.length;
    System.arraycopy(bytes, 0, data, used, bytes.length);
    used += bytes.length;
    return offset;
  }

  String get(int offset) {
    if (offset == NONE) {
      return null;
    }
    return new String(data, offset + 2, length(offset), StandardCharsets.UTF_8);
  }

  /** Whether the entry at {@code offset} holds exactly {@code text}. */
  boolean matches(int offset, String text) {
    if (offset == NONE || text == null) {
      return offset == NONE && text == null;
    }
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    return Arrays.equals(data, offset + 2, offset + 2 + length(offset), bytes, 0, bytes.length);
  }

  void remove(int offset) {
    if (offset != NONE) {
      garbage += 2 + length(offset);
    }
  }

  boolean needsCompaction() {
    return garbage > 64 && garbage * 2 > used;
  }

  /** Rewrites live entries contiguously; {@code offsets[0..count)} are updated in place. */
  void compact(int[] offsets, int count) {
    byte[] next = new byte[Math.max(16, used - garbage + 16)];
    int pos = 0;
    for (int i = 0; i < count; i++) {
      int o = offsets[i];
      if (o == NONE) {
        continue;
      }
      int n = 2 + length(o);
      System.arraycopy(data, o, next, pos, n);
      offsets[i] = pos;
      pos += n;
    }
    data = next;
    used = pos;
    garbage = 0;
  }

  /** Trims the backing array to what is used (after a bulk load). */
  void trim() {
    if (data.length > used + 16) {
      data = Arrays.copyOf(data, used + 16);
    }
  }

  private int length(int offset) {
    return ((data[offset] & 0xff) << 8) | (data[offset + 1] & 0xff);
  }
}
