package dev.gatehouse.tunnel.wireguard;

import java.util.function.IntSupplier;

/**
 * Maps our random 32-bit receiver indices (§5.4.2, "sender index") to the peer and, once the
 * session exists, the keypair they denote. Open addressing over primitive ints, so a lookup on the
 * transport path allocates nothing. Thread-safe.
 */
final class IndexTable {

  /** What an index denotes: a pending handshake of {@code peer}, or {@code keypair} of it. */
  record Entry(Peer peer, Keypair keypair) {}

  private final IntSupplier random;
  private int[] keys = new int[64];
  private Entry[] values = new Entry[64];
  private boolean[] used = new boolean[64];
  private int size;
  private int tombstones;
  private boolean[] deleted = new boolean[64];

  IndexTable(IntSupplier random) {
    this.random = random;
  }

  /** Allocates a fresh unused index for a pending handshake of {@code peer}. */
  synchronized int allocate(Peer peer) {
    while (true) {
      int candidate = random.getAsInt();
      if (find(candidate) < 0) {
        put(candidate, new Entry(peer, null));
        return candidate;
      }
    }
  }

  /** Binds an allocated index to its keypair. */
  synchronized void bind(int index, Peer peer, Keypair keypair) {
    int slot = find(index);
    if (slot >= 0) {
      values[slot] = new Entry(peer, keypair);
    } else {
      put(index, new Entry(peer, keypair));
    }
  }

  /** The entry for {@code index}, or null. */
  synchronized Entry get(int index) {
    int slot = find(index);
    return slot < 0 ? null : values[slot];
  }

  /** Frees {@code index}. */
  synchronized void remove(int index) {
    int slot = find(index);
    if (slot >= 0) {
      used[slot] = false;
      deleted[slot] = true;
      values[slot] = null;
      size--;
      tombstones++;
    }
  }

  synchronized int size() {
    return size;
  }

  private int find(int key) {
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    for (int n = 0; n < keys.length; n++, i = (i + 1) & mask) {
      if (used[i]) {
        if (keys[i] == key) {
          return i;
        }
      } else if (!deleted[i]) {
        return -1;
      }
    }
    return -1;
  }

  private void put(int key, Entry e) {
    if ((size + tombstones + 1) * 2 > keys.length) {
      rehash(size * 4 > keys.length ? keys.length * 2 : keys.length);
    }
    int mask = keys.length - 1;
    int i = mix(key) & mask;
    while (used[i]) {
      i = (i + 1) & mask;
    }
    if (deleted[i]) {
      deleted[i] = false;
      tombstones--;
    }
    used[i] = true;
    keys[i] = key;
    values[i] = e;
    size++;
  }

  private void rehash(int capacity) {
    int[] oldKeys = keys;
    Entry[] oldValues = values;
    boolean[] oldUsed = used;
    keys = new int[capacity];
    values = new Entry[capacity];
    used = new boolean[capacity];
    deleted = new boolean[capacity];
    size = 0;
    tombstones = 0;
    for (int i = 0; i < oldKeys.length; i++) {
      if (oldUsed[i]) {
        put(oldKeys[i], oldValues[i]);
      }
    }
  }

  private static int mix(int k) {
    int h = k * 0x9E3779B9;
    return h ^ (h >>> 16);
  }
}
