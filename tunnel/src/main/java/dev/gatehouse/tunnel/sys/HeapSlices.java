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
 * <p>The same table serves slices of long-lived native segments ({@link #at(MemorySegment, long)}):
 * a datagram decrypted where it lies in the socket's receive buffer.
 *
 * <p>The table holds at most {@value #SIZE} arrays or segments per thread strongly; a miss replaces
 * an entry. Get the table once per call ({@link #current}) and use it on the thread that got it
 * only.
 */
public final class HeapSlices {
  static final int SIZE = 1024;
  private static final int PROBES = 8;
  private static final int SHIFT = Integer.numberOfLeadingZeros(SIZE - 1);

  private static final ThreadLocal<HeapSlices> PER_THREAD =
      ThreadLocal.withInitial(HeapSlices::new);

  private final Object[] bases = new Object[SIZE];
  private final long[] offsets = new long[SIZE];
  private final MemorySegment[] segments = new MemorySegment[SIZE];

  private HeapSlices() {}

  /** The calling thread's table. */
  public static HeapSlices current() {
    return PER_THREAD.get();
  }

  /** A segment over {@code array[offset, array.length)}. */
  public MemorySegment at(byte[] array, int offset) {
    int i = find(array, offset);
    return hit(i, array, offset)
        ? segments[i]
        : put(i, array, MemorySegment.ofArray(array), offset);
  }

  /** {@code base.asSlice(offset)}, for a {@code base} that lives long (a receive buffer). */
  public MemorySegment at(MemorySegment base, long offset) {
    int i = find(base, offset);
    return hit(i, base, offset) ? segments[i] : put(i, base, base, offset);
  }

  /** The slot holding ({@code base}, {@code offset}), else the one to put it in. */
  private int find(Object base, long offset) {
    int home = ((System.identityHashCode(base) ^ (int) offset) * 0x9E3779B1) >>> SHIFT;
    for (int p = 0; p < PROBES; p++) {
      int i = (home + p) & (SIZE - 1);
      Object b = bases[i];
      if (b == null || hit(i, base, offset)) {
        return i;
      }
    }
    return home; // the neighbourhood is full: replace the first entry
  }

  private boolean hit(int i, Object base, long offset) {
    return bases[i] == base && offsets[i] == offset;
  }

  private MemorySegment put(int i, Object base, MemorySegment whole, long offset) {
    MemorySegment s = whole.asSlice(offset);
    bases[i] = base;
    offsets[i] = offset;
    segments[i] = s;
    return s;
  }
}
