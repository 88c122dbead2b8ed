package dev.gatehouse.tunnel.sys;

import java.lang.foreign.MemorySegment;

/**
 * Memory segments over the tail of a heap array, {@code array[offset...)}, for critical downcalls,
 * kept per thread so that the per-packet path makes none. {@code MemorySegment.ofArray(a)
 * .asSlice(off)} allocates two segments, which only C2's escape analysis removes, and only when it
 * inlines the slice's virtual {@code dup}: a call site it judges cold when the profile is thin
 * (after a level-2 compile, or with the workers' call paths) is left out, and then every packet
 * allocated about 260 bytes ({@code ParallelCryptoBenchmark -prof gc}, BENCHMARKS.md). The batch
 * slots and the single-packet buffers are long-lived, so a small open-addressed table of (array,
 * offset) → segment per thread (the engine's batches use about 200 entries a thread) hits on nearly
 * every call.
 *
 * <p>The table holds at most {@value #SIZE} arrays per thread strongly; a miss replaces an entry.
 * Get the table once per call ({@link #current}) and use it on the thread that got it only.
 */
public final class HeapSlices {
  static final int SIZE = 1024;
  private static final int PROBES = 8;
  private static final int SHIFT = Integer.numberOfLeadingZeros(SIZE - 1);

  private static final ThreadLocal<HeapSlices> PER_THREAD =
      ThreadLocal.withInitial(HeapSlices::new);

  private final byte[][] arrays = new byte[SIZE][];
  private final int[] offsets = new int[SIZE];
  private final MemorySegment[] segments = new MemorySegment[SIZE];

  private HeapSlices() {}

  /** The calling thread's table. */
  public static HeapSlices current() {
    return PER_THREAD.get();
  }

  /** A segment over {@code array[offset, array.length)}. */
  public MemorySegment at(byte[] array, int offset) {
    int home = ((System.identityHashCode(array) ^ offset) * 0x9E3779B1) >>> SHIFT;
    for (int p = 0; p < PROBES; p++) {
      int i = (home + p) & (SIZE - 1);
      byte[] a = arrays[i];
      if (a == array && offsets[i] == offset) {
        return segments[i];
      }
      if (a == null) {
        return put(i, array, offset);
      }
    }
    return put(home, array, offset); // the neighbourhood is full: replace the first entry
  }

  private MemorySegment put(int i, byte[] array, int offset) {
    MemorySegment s = MemorySegment.ofArray(array).asSlice(offset);
    arrays[i] = array;
    offsets[i] = offset;
    segments[i] = s;
    return s;
  }
}
