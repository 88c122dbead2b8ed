package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends of {@link LinuxUdpTransport} that met a full socket buffer, kept in order until the socket
 * drains: a datagram, or a GSO batch of them, copied to the heap (the one place the transport
 * allocates, and only under pushback). Up to {@code maxBytes}; beyond that sends are dropped and
 * counted, as the network would drop them. {@link #add} from any thread; {@link #drain} from the
 * transport's loop only.
 */
final class UdpSendQueue {
  private record Pending(byte[] bytes, int segmentSize, InetSocketAddress to) {}

  private final Deque<Pending> pending = new ConcurrentLinkedDeque<>();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong queued = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final long maxBytes;
  private final MemorySegment scratch;

  /** Holds up to {@code maxBytes}; its native send buffer lives as long as {@code arena}. */
  UdpSendQueue(long maxBytes, Arena arena) {
    this.maxBytes = maxBytes;
    this.scratch = arena.allocate(NativeGsoBatch.CAPACITY, 64);
  }

  /** How many datagrams {@code len} bytes are, sent in segments of {@code segment} (0: one). */
  static int datagrams(int len, int segment) {
    return segment > 0 ? (len + segment - 1) / segment : 1;
  }

  boolean isEmpty() {
    return pending.isEmpty();
  }

  /**
   * Queues a copy of {@code data[0, len)} for {@code to}, cut in {@code segment}-byte datagrams (0:
   * one datagram); false, with its datagrams counted as dropped, when that would pass the limit.
   */
  boolean add(MemorySegment data, int len, int segment, InetSocketAddress to) {
    if (bytes.addAndGet(len) > maxBytes) {
      bytes.addAndGet(-len);
      dropped.addAndGet(datagrams(len, segment));
      return false;
    }
    byte[] copy = new byte[len];
    MemorySegment.copy(data, JAVA_BYTE, 0, copy, 0, len);
    pending.add(new Pending(copy, segment, to));
    queued.incrementAndGet();
    return true;
  }

  /**
   * Sends what is queued, in order, until the socket is full again. A GSO batch the kernel refuses
   * goes back to the head of the queue as single datagrams; returns true if that happened, so the
   * caller stops batching.
   */
  boolean drain(DirectUdpSender sender) {
    boolean refused = false;
    Pending p;
    while ((p = pending.peekFirst()) != null) {
      int len = p.bytes().length;
      MemorySegment.copy(p.bytes(), 0, scratch, JAVA_BYTE, 0, len);
      int r = sender.send(scratch, len, p.segmentSize(), p.to());
      if (r == DirectUdpSender.WOULD_BLOCK) {
        break;
      }
      if (r == DirectUdpSender.FAILED && p.segmentSize() > 0) {
        refused = true;
        splitAtHead(p);
        continue;
      }
      pending.pollFirst();
      if (r != DirectUdpSender.SENT) {
        dropped.addAndGet(datagrams(len, p.segmentSize()));
      }
      bytes.addAndGet(-len);
    }
    return refused;
  }

  /**
   * Replaces {@code batch}, the queue's head, by its datagrams, one entry each, in their order. The
   * queue is never empty meanwhile, so a send from another thread cannot overtake them.
   */
  private void splitAtHead(Pending batch) {
    int segment = batch.segmentSize();
    int len = batch.bytes().length;
    for (int at = (datagrams(len, segment) - 1) * segment; at >= 0; at -= segment) {
      int n = Math.min(segment, len - at);
      pending.addFirst(new Pending(Arrays.copyOfRange(batch.bytes(), at, at + n), 0, batch.to()));
    }
    pending.removeFirstOccurrence(batch); // just behind its datagrams
  }

  /** Sends (a datagram or a batch) that were queued. */
  long queued() {
    return queued.get();
  }

  /** Datagrams dropped here: beyond the limit, or refused by the kernel when drained. */
  long dropped() {
    return dropped.get();
  }
}
