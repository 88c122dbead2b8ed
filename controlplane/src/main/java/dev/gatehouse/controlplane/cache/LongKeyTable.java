package dev.gatehouse.controlplane.cache;

import java.util.Arrays;

/**
 * An open-addressing hash index from fixed-width keys (1 to 4 longs, e.g. a UUID as two longs, a
 * (client, resource) pair as four) to stable row numbers. Owners keep their columns in plain arrays
 * indexed by row, so a cached entry costs its key, one index slot and its columns: no boxed keys,
 * no map entries, no per-entry objects. Rows of removed keys are reused.
 *
 * <p>Linear probing with backward-shift deletion; the index is kept at most half full. Not
 * thread-safe. Callers grow their columns to {@link #rowCapacity()} after {@link #add}.
 */
final class LongKeyTable {

  private final int width;
  private long[] keys; // width longs per row
  private long[] liveBits; // one bit per row
  private int[] slots; // row + 1, 0 = empty
  private int[] freeRows = new int[4];
  private int freeCount;
  private int highWater;
  private int size;

  LongKeyTable(int width, int expectedRows) {
    if (width < 1 || width > 4) {
      throw new IllegalArgumentException("width " + width);
    }
    this.width = width;
    int rows = Math.max(2, expectedRows);
    keys = new long[rows * width];
    liveBits = new long[(rows + 63) >>> 6];
    slots = new int[Integer.highestOneBit(Math.max(4, rows * 2 - 1)) << 1];
  }

  int size() {
    return size;
  }

  /** Rows are in [0, highWater()); check {@link #isLive(int)}. */
  int highWater() {
    return highWater;
  }

  int rowCapacity() {
    return keys.length / width;
  }

  boolean isLive(int row) {
    return row < highWater && (liveBits[row >>> 6] & (1L << row)) != 0;
  }

  long key(int row, int part) {
    return keys[row * width + part];
  }

  int find(long k0, long k1) {
    return find(k0, k1, 0, 0);
  }

  /** Returns the row of the key, or -1. Unused trailing parts must be 0. */
  int find(long k0, long k1, long k2, long k3) {
    int mask = slots.length - 1;
    for (int i = hash(k0, k1, k2, k3) & mask; ; i = (i + 1) & mask) {
      int s = slots[i];
      if (s == 0) {
        return -1;
      }
      if (matches(s - 1, k0, k1, k2, k3)) {
        return s - 1;
      }
    }
  }

  int add(long k0, long k1) {
    return add(k0, k1, 0, 0);
  }

  /** Returns the row of the key, adding it if absent. */
  int add(long k0, long k1, long k2, long k3) {
    int existing = find(k0, k1, k2, k3);
    if (existing >= 0) {
      return existing;
    }
    if ((size + 1) * 2 > slots.length) {
      rehash(slots.length * 2);
    }
    int row;
    if (freeCount > 0) {
      row = freeRows[--freeCount];
    } else {
      row = highWater++;
      if (row >= rowCapacity()) {
        int rows = rowCapacity() + (rowCapacity() >> 1) + 1;
        keys = Arrays.copyOf(keys, rows * width);
        liveBits = Arrays.copyOf(liveBits, (rows + 63) >>> 6);
      }
    }
    int base = row * width;
    keys[base] = k0;
    if (width > 1) keys[base + 1] = k1;
    if (width > 2) keys[base + 2] = k2;
    if (width > 3) keys[base + 3] = k3;
    liveBits[row >>> 6] |= 1L << row;
    insertSlot(row);
    size++;
    return row;
  }

  /**
   * Shrinks the key storage to the rows in use (after a bulk load whose size was guessed); callers
   * shrink their columns to {@link #rowCapacity()} too.
   */
  void compact() {
    int rows = Math.max(2, highWater);
    if (rows < rowCapacity()) {
      keys = Arrays.copyOf(keys, rows * width);
      liveBits = Arrays.copyOf(liveBits, (rows + 63) >>> 6);
    }
    int slotCount = Integer.highestOneBit(Math.max(4, size * 2 - 1)) << 1;
    if (slotCount < slots.length) {
      rehash(slotCount);
    }
  }

  /** Removes the row's key; the row number may be handed out again by a later add. */
  void remove(int row) {
    if (!isLive(row)) {
      return;
    }
    int mask = slots.length - 1;
    int i = hash(key(row, 0), part(row, 1), part(row, 2), part(row, 3)) & mask;
    while (slots[i] != row + 1) {
      i = (i + 1) & mask;
    }
    // Backward-shift deletion keeps probe sequences intact without tombstones.
    int hole = i;
    for (int j = (hole + 1) & mask; slots[j] != 0; j = (j + 1) & mask) {
      int r = slots[j] - 1;
      int home = hash(key(r, 0), part(r, 1), part(r, 2), part(r, 3)) & mask;
      if (((j - home) & mask) >= ((j - hole) & mask)) {
        slots[hole] = slots[j];
        hole = j;
      }
    }
    slots[hole] = 0;
    liveBits[row >>> 6] &= ~(1L << row);
    Arrays.fill(keys, row * width, row * width + width, 0L);
    if (freeCount == freeRows.length) {
      freeRows = Arrays.copyOf(freeRows, freeCount * 2);
    }
    freeRows[freeCount++] = row;
    size--;
  }

  private long part(int row, int p) {
    return p < width ? keys[row * width + p] : 0L;
  }

  private boolean matches(int row, long k0, long k1, long k2, long k3) {
    int b = row * width;
    return keys[b] == k0
        && (width < 2 || keys[b + 1] == k1)
        && (width < 3 || keys[b + 2] == k2)
        && (width < 4 || keys[b + 3] == k3);
  }

  private void insertSlot(int row) {
    int mask = slots.length - 1;
    int i = hash(key(row, 0), part(row, 1), part(row, 2), part(row, 3)) & mask;
    while (slots[i] != 0) {
      i = (i + 1) & mask;
    }
    slots[i] = row + 1;
  }

  private void rehash(int capacity) {
    slots = new int[capacity];
    for (int r = 0; r < highWater; r++) {
      if (isLive(r)) {
        insertSlot(r);
      }
    }
  }

  private static int hash(long k0, long k1, long k2, long k3) {
    long h = k0 * 0x9E3779B97F4A7C15L;
    h = (h ^ (h >>> 32) ^ k1) * 0xC2B2AE3D27D4EB4FL;
    h = (h ^ (h >>> 29) ^ k2) * 0x165667B19E3779F9L;
    h = (h ^ (h >>> 32) ^ k3) * 0x9E3779B97F4A7C15L;
    return (int) (h ^ (h >>> 32));
  }
}
