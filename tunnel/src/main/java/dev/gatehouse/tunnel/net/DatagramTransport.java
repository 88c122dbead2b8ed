package dev.gatehouse.tunnel.net;

import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * A UDP socket as the tunnel needs it.
 *
 * <p><b>Ownership.</b> A datagram handed to {@link Receiver#onDatagram} is a heap buffer owned by
 * the transport and valid only during the call; receivers copy what they keep. {@link #send} copies
 * the caller's bytes before returning, so the caller may reuse its buffer at once.
 *
 * <p><b>Threads.</b> Receivers are called on one thread (the transport's event loop). {@link #send}
 * may be called from any thread and does not block on the network.
 */
public interface DatagramTransport extends AutoCloseable {

  /** Receives datagrams. Must not block for long and must not throw. */
  @FunctionalInterface
  interface Receiver {
    void onDatagram(ByteBuffer datagram, InetSocketAddress sender);

    /**
     * Called after a burst of datagrams: a good moment to {@link #flush()} replies. Every transport
     * must call it (wrappers pass it on): the engine's parallel batches are processed here.
     */
    default void onBurstEnd() {}
  }

  /**
   * A receiver that can take a datagram where it lies in native memory, {@code buffer[offset,
   * offset+length)}: the socket's receive buffer, valid only during the call and not to be written.
   * A transport that reads into native memory ({@link LinuxUdpTransport}) hands datagrams to such a
   * receiver this way instead of copying each into a heap buffer first; others call {@link
   * #onDatagram}. The buffer is one long-lived segment, so slices of it may be cached.
   */
  interface NativeReceiver extends Receiver {
    void onDatagram(MemorySegment buffer, long offset, int length, InetSocketAddress sender);
  }

  /** Starts delivering datagrams to {@code receiver}. */
  void start(Receiver receiver);

  /** Queues {@code datagram[position, limit)} for {@code to}; flushed by {@link #flush()}. */
  void send(ByteBuffer datagram, InetSocketAddress to);

  /** Pushes queued datagrams to the network. */
  void flush();

  /** The bound local address. */
  InetSocketAddress localAddress();

  /** Runs {@code task} on the receiving thread every {@code periodMillis}. */
  void schedule(Runnable task, long periodMillis);

  @Override
  void close();
}
