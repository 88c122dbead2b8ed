package dev.gatehouse.client.core.dns;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Proxy addresses for names of DNS resources, from 100.96.0.0/11 (DESIGN.md, "Addresses"). A name
 * keeps its address for the life of the client; the first choice is a hash of the name (FNV-1a), so
 * a restarted client usually hands out the same address again, with linear probing on collision.
 * Pure; not thread-safe (the agent's lock).
 */
public final class ProxyIps {

  /** 100.96.0.0 as an int. */
  static final int BASE = (100 << 24) | (96 << 16);

  /** Host bits of a /11. */
  static final int SIZE = 1 << 21;

  private final int capacity;
  private final Map<String, Integer> byName = new HashMap<>();
  private final Map<Integer, String> byAddress = new HashMap<>();

  /**
   * @param capacity at most this many names get an address (later ones get none)
   */
  public ProxyIps(int capacity) {
    this.capacity = Math.min(capacity, SIZE - 2);
  }

  /** The name's proxy address (4 bytes), assigned now if needed; null when the pool is full. */
  public byte[] assign(String name) {
    Integer known = byName.get(name);
    if (known != null) {
      return bytes(known);
    }
    if (byName.size() >= capacity) {
      return null;
    }
    int offset = Integer.remainderUnsigned(fnv1a(name), SIZE - 2) + 1; // not .0.0, not the last
    while (byAddress.containsKey(offset)) {
      offset = offset % (SIZE - 2) + 1;
    }
    byName.put(name, offset);
    byAddress.put(offset, name);
    return bytes(offset);
  }

  /** The name behind a proxy address, or null. */
  public String nameOf(byte[] b, int off) {
    int a =
        ((b[off] & 0xff) << 24)
            | ((b[off + 1] & 0xff) << 16)
            | ((b[off + 2] & 0xff) << 8)
            | (b[off + 3] & 0xff);
    if ((a & ~(SIZE - 1)) != BASE) {
      return null;
    }
    return byAddress.get(a & (SIZE - 1));
  }

  public int size() {
    return byName.size();
  }

  private static byte[] bytes(int offset) {
    int a = BASE | offset;
    return new byte[] {(byte) (a >>> 24), (byte) (a >>> 16), (byte) (a >>> 8), (byte) a};
  }

  private static int fnv1a(String name) {
    int h = 0x811c9dc5;
    for (byte c : name.getBytes(StandardCharsets.UTF_8)) {
      h ^= c & 0xff;
      h *= 0x01000193;
    }
    return h;
  }
}
