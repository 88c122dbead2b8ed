package dev.gatehouse.tunnel.wireguard;

import dev.gatehouse.tunnel.sys.HeapSlices;
import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * A {@link TransportAead} that decrypts from a memory segment, wherever it lies: a heap array's
 * bytes (through {@link HeapSlices}, so no segment is made per packet) or a datagram still in the
 * socket's native receive buffer. Both of {@code open}'s forms come down to {@link #openAt}.
 */
interface SegmentOpeningAead extends TransportAead {

  /**
   * Opens {@code from[0, len)} (ciphertext, then tag; {@code len} at least a tag) into {@code
   * out[outOff...)}, as {@link TransportAead#open} does.
   */
  int openAt(long counter, MemorySegment from, int len, byte[] out, int outOff);

  @Override
  default int open(long counter, byte[] in, int off, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(off, len, in.length);
    // the same HeapSlices entry as the output's when in place
    return len < TAG_SIZE
        ? -1
        : openAt(counter, HeapSlices.current().at(in, off), len, out, outOff);
  }

  @Override
  default int open(long counter, MemorySegment in, long off, int len, byte[] out, int outOff) {
    Objects.checkFromIndexSize(off, len, in.byteSize());
    return len < TAG_SIZE
        ? -1
        : openAt(counter, HeapSlices.current().at(in, off), len, out, outOff);
  }
}
