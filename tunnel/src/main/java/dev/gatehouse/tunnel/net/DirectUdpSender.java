package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.gatehouse.tunnel.sys.Libc;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.InetSocketAddress;

/**
 * Sends datagrams on the UDP socket of an epoll channel from the calling thread with {@code
 * sendmsg(2)} (and a {@code UDP_SEGMENT} control message for GSO batches), so the thread that
 * encrypted them does not wake the event loop for every batch. The kernel serializes concurrent
 * sends on one socket, and each datagram is atomic, so this coexists with Netty's own writes.
 *
 * <p>Not thread-safe: one sending thread at a time (the caller locks). {@link #send} never blocks:
 * a full socket buffer returns {@link #WOULD_BLOCK} and the caller hands the batch to Netty, which
 * waits for the socket to drain.
 */
final class DirectUdpSender implements AutoCloseable {
  static final int SENT = 0;
  static final int WOULD_BLOCK = 1;
  static final int FAILED = 2;

  /** This socket's family cannot reach the destination (IPv6 on an IPv4 socket, a bare name). */
  static final int NO_ROUTE = 3;

  private static final short AF_INET = SockAddr.AF_INET;
  private static final short AF_INET6 = SockAddr.AF_INET6;
  private static final int SOL_SOCKET = 1;
  private static final int SO_DOMAIN = 39;
  private static final int SO_SNDBUFFORCE = 32;
  private static final int SO_RCVBUFFORCE = 33;
  private static final int SOL_UDP = 17;
  private static final int UDP_SEGMENT = 103;
  private static final int MSG_DONTWAIT = 0x40;
  private static final int CMSG_LEN = 16 + 2;
  private static final int CMSG_SPACE = 24;

  private final Arena arena = Arena.ofShared();
  private final int fd;
  private final boolean ipv6Socket;
  private final MemorySegment msghdr = arena.allocate(56, 8);
  private final MemorySegment iov = arena.allocate(16, 8);
  private final MemorySegment sockaddr = arena.allocate(SockAddr.SIZE, 8);
  private final MemorySegment cmsg = arena.allocate(CMSG_SPACE, 8);
  private final MemorySegment state = arena.allocate(Libc.CAPTURE);
  private InetSocketAddress lastTo;
  private int lastNameLen;

  private DirectUdpSender(int fd, boolean ipv6Socket) {
    this.fd = fd;
    this.ipv6Socket = ipv6Socket;
    msghdr.set(ADDRESS, 0, sockaddr);
    msghdr.set(ADDRESS, 16, iov);
    msghdr.set(JAVA_LONG, 24, 1L);
    cmsg.set(JAVA_LONG, 0, CMSG_LEN);
    cmsg.set(JAVA_INT, 8, SOL_UDP);
    cmsg.set(JAVA_INT, 12, UDP_SEGMENT);
  }

  /** A sender for {@code channel}'s socket, or null when it is not a native epoll socket. */
  static DirectUdpSender of(Channel channel) {
    if (!(channel instanceof EpollDatagramChannel epoll)) {
      return null;
    }
    int fd = epoll.fd().intValue();
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_INT);
      MemorySegment len = a.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, 4);
      MemorySegment st = a.allocate(Libc.CAPTURE);
      int rc = (int) Libc.GETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_DOMAIN, value, len);
      int domain = value.get(JAVA_INT, 0);
      return rc == 0 && (domain == AF_INET || domain == AF_INET6)
          ? new DirectUdpSender(fd, domain == AF_INET6)
          : null;
    } catch (Throwable t) {
      return null;
    }
  }

  /**
   * Raises the socket's send and receive buffers to {@code bytes} past {@code net.core.rmem_max}
   * and {@code wmem_max} ({@code SO_RCVBUFFORCE}/{@code SO_SNDBUFFORCE}, as wireguard-go does), so
   * a burst of GRO-merged datagrams is not dropped while the event loop waits for a core. Needs
   * CAP_NET_ADMIN, which a TUN device needs anyway; returns false (changing nothing) without.
   */
  static boolean forceBuffers(Channel channel, int bytes) {
    return channel instanceof EpollDatagramChannel epoll
        && forceBuffers(epoll.fd().intValue(), bytes);
  }

  /** {@link #forceBuffers(Channel, int)} on socket {@code fd}. */
  static boolean forceBuffers(int fd, int bytes) {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment value = a.allocate(JAVA_INT);
      value.set(JAVA_INT, 0, bytes);
      MemorySegment st = a.allocate(Libc.CAPTURE);
      int r1 = (int) Libc.SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_RCVBUFFORCE, value, 4);
      int r2 = (int) Libc.SETSOCKOPT.invokeExact(st, fd, SOL_SOCKET, SO_SNDBUFFORCE, value, 4);
      return r1 == 0 && r2 == 0;
    } catch (Throwable t) {
      return false;
    }
  }

  /** A sender on socket {@code fd} of the given family; the caller keeps the descriptor open. */
  static DirectUdpSender forSocket(int fd, boolean ipv6Socket) {
    return new DirectUdpSender(fd, ipv6Socket);
  }

  /**
   * Sends {@code content[readerIndex, writerIndex)} (a direct buffer) as {@link
   * #send(MemorySegment, long, int, InetSocketAddress)} does; a heap buffer is left to Netty
   * ({@link #WOULD_BLOCK}).
   */
  int send(ByteBuf content, int segmentSize, InetSocketAddress to) {
    if (!content.isDirect()) {
      return WOULD_BLOCK;
    }
    int len = content.readableBytes();
    int r =
        send(
            MemorySegment.ofBuffer(content.internalNioBuffer(content.readerIndex(), len)),
            len,
            segmentSize,
            to);
    return r == NO_ROUTE ? WOULD_BLOCK : r; // let Netty deal with what this socket cannot express
  }

  /**
   * Sends {@code data[0, len)} (native memory) to {@code to}, cut by the kernel into datagrams of
   * {@code segmentSize} bytes if it is above 0. Returns {@link #SENT}, {@link #WOULD_BLOCK}
   * (nothing sent: the socket buffer is full), {@link #NO_ROUTE} (this socket's family cannot
   * express {@code to}) or {@link #FAILED} (refused, e.g. GSO unsupported on the route).
   */
  int send(MemorySegment data, long len, int segmentSize, InetSocketAddress to) {
    if (to != lastTo) { // a peer's endpoint is one object: encode it once, not per batch
      lastNameLen = SockAddr.encode(to, sockaddr, ipv6Socket);
      lastTo = to;
    }
    int nameLen = lastNameLen;
    if (nameLen < 0) {
      return NO_ROUTE;
    }
    iov.set(ADDRESS, 0, data);
    iov.set(JAVA_LONG, 8, len);
    msghdr.set(JAVA_INT, 8, nameLen);
    if (segmentSize > 0) {
      cmsg.set(JAVA_SHORT, 16, (short) segmentSize);
      msghdr.set(ADDRESS, 32, cmsg);
      msghdr.set(JAVA_LONG, 40, CMSG_SPACE);
    } else {
      msghdr.set(ADDRESS, 32, MemorySegment.NULL);
      msghdr.set(JAVA_LONG, 40, 0L);
    }
    try {
      if ((long) Libc.SENDMSG_NO_ERRNO.invokeExact(fd, msghdr, MSG_DONTWAIT) >= 0) {
        return SENT;
      }
      // failed, so nothing left: ask again, capturing errno this time (Libc, on why)
      long n = (long) Libc.SENDMSG.invokeExact(state, fd, msghdr, MSG_DONTWAIT);
      if (n >= 0) {
        return SENT;
      }
      int err = Libc.errno(state);
      return err == Libc.EAGAIN || err == Libc.EINTR ? WOULD_BLOCK : FAILED;
    } catch (Throwable t) {
      return FAILED;
    }
  }

  @Override
  public void close() {
    arena.close();
  }
}
