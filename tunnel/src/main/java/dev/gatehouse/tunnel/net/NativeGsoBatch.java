package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * {@link GsoBatch}'s rules over one fixed native buffer: consecutive datagrams to one endpoint,
 * every one but the last of the first one's size, collected to leave as one UDP GSO {@code
 * sendmsg}. Appending copies the caller's bytes once, straight from its heap array, and nothing is
 * allocated per datagram or per batch. Not thread-safe: one batch per sending thread.
 */
final class NativeGsoBatch {
  /** The largest UDP payload (IPv6: 65,535 less the 8-byte UDP header). */
  static final int CAPACITY = 65527;

  private final MemorySegment data;
  private InetSocketAddress to;
  private int segmentSize;
  private int count;
  private int length;
  private boolean closed;

  NativeGsoBatch(Arena arena) {
    this.data = arena.allocate(CAPACITY, 64);
  }

  boolean isEmpty() {
    return count == 0;
  }

  /**
   * Appends {@code datagram[position, limit)} for {@code to} if it fits: the batch is empty (and
   * the datagram no larger than {@link #CAPACITY}), or it goes to the same endpoint, is no larger
   * than the first, and leaves at most {@code maxSegments} datagrams and {@link GsoBatch#MAX_BYTES}
   * bytes. False leaves the batch as it was.
   */
  boolean tryAppend(ByteBuffer datagram, InetSocketAddress to, int maxSegments) {
    int len = datagram.remaining();
    if (count == 0) {
      if (len > CAPACITY) {
        return false;
      }
      this.to = to;
      segmentSize = len;
      closed = false;
    } else if (closed
        || count >= maxSegments
        || len > segmentSize
        || length + len > GsoBatch.MAX_BYTES
        || (to != this.to && !to.equals(this.to))) {
      return false;
    }
    if (datagram.hasArray()) {
      MemorySegment.copy(
          datagram.array(),
          datagram.arrayOffset() + datagram.position(),
          data,
          JAVA_BYTE,
          length,
          len);
    } else {
      MemorySegment.copy(MemorySegment.ofBuffer(datagram), 0, data, length, len);
    }
    length += len;
    count++;
    closed = len < segmentSize || len == 0;
    return true;
  }

  /** The collected bytes: {@code data()[0, length())}. */
  MemorySegment data() {
    return data;
  }

  int length() {
    return length;
  }

  int count() {
    return count;
  }

  /** The size of every datagram but the last. */
  int segmentSize() {
    return segmentSize;
  }

  InetSocketAddress to() {
    return to;
  }

  void clear() {
    count = 0;
    length = 0;
    to = null;
  }
}
