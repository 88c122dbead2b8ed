package dev.gatehouse.tunnel.net;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.socket.DatagramPacket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Consecutive datagrams to one endpoint collected into one buffer, to leave as a single UDP GSO
 * write ({@code UDP_SEGMENT}): the kernel cuts it back into the original datagrams, so one trip
 * through the stack carries up to {@value #MAX_SEGMENTS} of them. Every datagram but the last must
 * have the first one's size, as the kernel requires. Not thread-safe: one batch per sending thread.
 *
 * <p><b>Ownership.</b> The batch owns its buffer until {@link #take} hands it out inside a packet,
 * whose new owner writes or releases it.
 */
final class GsoBatch {
  /** Most datagrams per GSO write (the kernel's UDP_MAX_SEGMENTS is 64 on older kernels). */
  static final int MAX_SEGMENTS = 64;

  /** Most bytes per GSO write: an IP packet's 64 KiB less IPv6 and UDP headers, with margin. */
  static final int MAX_BYTES = 65000;

  private final ByteBufAllocator alloc;
  private ByteBuf buf;
  private InetSocketAddress to;
  private int segmentSize;
  private int count;
  private boolean closed;

  GsoBatch(ByteBufAllocator alloc) {
    this.alloc = alloc;
  }

  /** Whether there is nothing to take. */
  boolean isEmpty() {
    return count == 0;
  }

  /**
   * Appends {@code datagram[position, limit)} for {@code to} if it fits this batch (same endpoint,
   * not larger than the first datagram, room left) and returns true; false leaves the batch as is.
   */
  boolean tryAppend(ByteBuffer datagram, InetSocketAddress to) {
    int len = datagram.remaining();
    if (count == 0) {
      buf = alloc.directBuffer(Math.max(len, Math.min(MAX_BYTES, len * 16)));
      this.to = to;
      segmentSize = len;
      closed = false;
    } else if (closed
        || count == MAX_SEGMENTS
        || len > segmentSize
        || buf.readableBytes() + len > MAX_BYTES
        || (to != this.to && !to.equals(this.to))) {
      return false;
    }
    buf.writeBytes(datagram.duplicate());
    count++;
    closed = len < segmentSize || len == 0;
    return true;
  }

  /**
   * Hands out what was collected — a plain packet for one datagram, a segmented one for several —
   * and empties the batch; null when empty. The caller owns the packet.
   */
  DatagramPacket take() {
    if (count == 0) {
      return null;
    }
    DatagramPacket p =
        count == 1
            ? new DatagramPacket(buf, to)
            : new SegmentedDatagramPacket(buf, segmentSize, to);
    buf = null;
    to = null;
    count = 0;
    return p;
  }

  /** Releases a buffer still held (on close). */
  void release() {
    if (buf != null) {
      buf.release();
      buf = null;
      count = 0;
    }
  }
}
