package dev.gatehouse.tunnel.tun;

import java.io.IOException;

/**
 * A layer-3 tunnel interface: whole IP packets in, whole IP packets out, no link header.
 *
 * <p>Buffers belong to the caller: {@link #read} fills the caller's array and {@link #write} copies
 * out of it before returning; neither keeps a reference. One thread may read while another writes.
 */
public interface TunDevice extends AutoCloseable {

  /** Interface name, e.g. {@code wg0}. */
  String name();

  /** The MTU the device was configured with; packets the OS hands us are at most this long. */
  int mtu();

  /**
   * Blocks until one IP packet is available and copies it into {@code buf[off...]}. Returns its
   * length, 0 if {@code timeoutMillis} passed without a packet, or -1 once the device is closed. A
   * packet longer than {@code len} is truncated (callers size the buffer for the MTU).
   */
  int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException;

  /**
   * Waits up to {@code timeoutMillis} until {@link #read} has a packet to return at once, without
   * taking it: true if one is ready or the device is closed ({@link #read} then returns -1), false
   * on timeout. Lets a reader wait without holding the lock under which it and other threads read.
   */
  boolean awaitReadable(int timeoutMillis) throws IOException;

  /**
   * Whether {@link #read} still holds segments of a super-packet it split (returned without asking
   * the OS, and without waking an {@link #awaitReadable}): whoever stops reading while this is true
   * must let another reader know. False by default.
   */
  default boolean holdsSegments() {
    return false;
  }

  /**
   * Whether {@link #read} with a zero timeout returns promptly whatever thread calls it, waiting on
   * nothing but the OS: then the engine's event loop may read too, to send what the TUN answers to
   * its writes at once. A decorator that consults slower logic per packet (the application's locks,
   * say) returns false, and only the engine's reader thread reads it. True by default.
   */
  default boolean readsPromptly() {
    return true;
  }

  /** Writes one IP packet {@code buf[off, off+len)} to the OS; does not block for long. */
  void write(byte[] buf, int off, int len) throws IOException;

  /**
   * Like {@link #write}, but the device may hold the packet (copied) to merge it with the ones that
   * follow, until {@link #flush}. Callers of this method must call {@link #flush} at the end of
   * every burst. By default it writes at once, so a decorator that forwards only {@link #write}
   * stays correct (it just merges nothing).
   */
  default void writeBatched(byte[] buf, int off, int len) throws IOException {
    write(buf, off, len);
  }

  /** Writes out what {@link #writeBatched} held back; nothing by default. */
  default void flush() throws IOException {}

  /** Closes the device; a blocked {@link #read} returns -1 within its timeout. Idempotent. */
  @Override
  void close();
}
