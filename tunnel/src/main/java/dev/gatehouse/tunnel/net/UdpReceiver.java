package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.gatehouse.tunnel.sys.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The receiving half of {@link LinuxUdpTransport}: {@code recvmsg(2)} into one native buffer (with
 * UDP GRO, up to 64 KiB of datagrams per call, split at the size the kernel reports in its control
 * message), each datagram handed over where it lies to a {@link DatagramTransport.NativeReceiver}
 * or else copied into one reused heap buffer; the last sender's address is reused while its bytes
 * match. Nothing is allocated per datagram. One thread only: the transport's loop.
 */
final class UdpReceiver {
  /** {@code recvmsg} calls per wake-up before the receiver is told the burst ended. */
  static final int BURST = 16;

  private static final int SOL_UDP = 17;
  private static final int UDP_GRO = 104;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int MSG_TRUNC = 0x20;
  private static final int BUFFER = 65536;
  private static final int CONTROL_BYTES = 64;

  private final int fd;
  private final MemorySegment data;
  private final MemorySegment name;
  private final MemorySegment control;
  private final MemorySegment msg;
  private final byte[] array = new byte[BUFFER];
  private final ByteBuffer view = ByteBuffer.wrap(array);
  private final SockAddr.Cache senders;
  private final AtomicLong dropped = new AtomicLong();

  /** Reads socket {@code fd}; its buffers live as long as {@code arena}. */
  UdpReceiver(int fd, Arena arena) {
    this.fd = fd;
    data = arena.allocate(BUFFER, 64);
    name = arena.allocate(SockAddr.SIZE, 8);
    control = arena.allocate(CONTROL_BYTES, 8);
    msg = arena.allocate(56, 8); // struct msghdr
    senders = new SockAddr.Cache(arena.allocate(SockAddr.SIZE, 8));
    MemorySegment iov = arena.allocate(16, 8);
    iov.set(ADDRESS, 0, data);
    iov.set(JAVA_LONG, 8, BUFFER);
    msg.set(ADDRESS, 0, name);
    msg.set(ADDRESS, 16, iov);
    msg.set(JAVA_LONG, 24, 1L);
    msg.set(ADDRESS, 32, control);
  }

  /**
   * Reads what the socket holds, up to {@value #BURST} calls, and hands each datagram to {@code r};
   * returns how many it handed over.
   */
  int receiveBurst(DatagramTransport.Receiver r) throws Throwable {
    int delivered = 0;
    for (int i = 0; i < BURST; i++) {
      msg.set(JAVA_INT, 8, SockAddr.SIZE);
      msg.set(JAVA_LONG, 40, CONTROL_BYTES);
      long n = (long) Libc.RECVMSG_NO_ERRNO.invokeExact(fd, msg, MSG_DONTWAIT);
      if (n < 0) {
        // EAGAIN: drained. EINTR, or a queued ICMP error (consumed by the call): poll says if
        // more is waiting, so whichever it was, ending the burst loses nothing.
        break;
      }
      delivered += deliver(r, (int) n);
    }
    return delivered;
  }

  /** Datagrams received but not delivered: truncated, of an unknown family, or thrown on. */
  long dropped() {
    return dropped.get();
  }

  /** Counts one datagram lost on the way to the receiver. */
  void countDrop() {
    dropped.incrementAndGet();
  }

  /** Hands the datagrams of one {@code recvmsg} to {@code r}; returns how many. */
  private int deliver(DatagramTransport.Receiver r, int n) {
    if ((msg.get(JAVA_INT, 48) & MSG_TRUNC) != 0) {
      dropped.incrementAndGet();
      return 0;
    }
    InetSocketAddress sender = senders.decode(name, msg.get(JAVA_INT, 8));
    if (sender == null) {
      dropped.incrementAndGet();
      return 0;
    }
    int size = groSegmentSize();
    if (size <= 0) {
      size = Math.max(n, 1);
    }
    DatagramTransport.NativeReceiver direct =
        r instanceof DatagramTransport.NativeReceiver nr ? nr : null;
    int count = 0;
    for (int at = 0; at < n || (n == 0 && count == 0); at += size) {
      int len = Math.min(size, n - at);
      try {
        if (direct != null) {
          direct.onDatagram(data, at, len, sender);
        } else {
          MemorySegment.copy(data, JAVA_BYTE, at, array, 0, len);
          view.clear().limit(len);
          r.onDatagram(view, sender);
        }
      } catch (RuntimeException e) {
        dropped.incrementAndGet();
      }
      count++;
    }
    return count;
  }

  /** The UDP_GRO control message's segment size, or 0 when the datagram came alone. */
  private int groSegmentSize() {
    long controlLen = msg.get(JAVA_LONG, 40);
    for (long at = 0; at + 20 <= controlLen; ) {
      long len = control.get(JAVA_LONG, at);
      if (len < 16) {
        return 0;
      }
      if (control.get(JAVA_INT, at + 8) == SOL_UDP && control.get(JAVA_INT, at + 12) == UDP_GRO) {
        return control.get(JAVA_INT, at + 16);
      }
      at += (len + 7) & ~7L;
    }
    return 0;
  }
}
