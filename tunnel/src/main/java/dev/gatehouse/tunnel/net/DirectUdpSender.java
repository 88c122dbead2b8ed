package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.gatehouse.tunnel.sys.Libc;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.epoll.EpollDatagramChannel;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;

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

  private static final short AF_INET = 2;
  private static final short AF_INET6 = 10;
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
  private final MemorySegment sockaddr = arena.allocate(28, 8);
  private final MemorySegment cmsg = arena.allocate(CMSG_SPACE, 8);
  private final MemorySegment state = arena.allocate(Libc.CAPTURE);

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
    if (!(channel instanceof EpollDatagramChannel epoll)) {
      return false;
    }
    int fd = epoll.fd().intValue();
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

  /**
   * Sends {@code content[readerIndex, writerIndex)} to {@code to}, cut by the kernel into datagrams
   * of {@code segmentSize} bytes if it is above 0. Returns {@link #SENT}, {@link #WOULD_BLOCK}
   * (nothing sent; send it another way) or {@link #FAILED} (refused, e.g. GSO unsupported on the
   * route, or an address family this socket cannot reach).
   */
  int send(ByteBuf content, int segmentSize, InetSocketAddress to) {
    int nameLen = content.isDirect() ? fillAddress(to) : -1;
    if (nameLen < 0) {
      return WOULD_BLOCK; // let Netty deal with what this socket's family cannot express
    }
    int len = content.readableBytes();
    MemorySegment data =
        MemorySegment.ofBuffer(content.internalNioBuffer(content.readerIndex(), len));
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

  /** Writes {@code to} as the socket's family needs it; returns its length, or -1. */
  private int fillAddress(InetSocketAddress to) {
    byte[] addr = to.getAddress() == null ? null : to.getAddress().getAddress();
    if (addr == null) {
      return -1;
    }
    short port = (short) to.getPort();
    if (!ipv6Socket) {
      if (addr.length != 4) {
        return -1;
      }
      sockaddr.set(JAVA_SHORT, 0, AF_INET);
      sockaddr.set(JAVA_SHORT_BE, 2, port);
      MemorySegment.copy(addr, 0, sockaddr, JAVA_BYTE, 4, 4);
      sockaddr.asSlice(8, 8).fill((byte) 0);
      return 16;
    }
    sockaddr.set(JAVA_SHORT, 0, AF_INET6);
    sockaddr.set(JAVA_SHORT_BE, 2, port);
    sockaddr.set(JAVA_INT, 4, 0); // flow info
    if (to.getAddress() instanceof Inet4Address) { // IPv4-mapped IPv6 address
      sockaddr.asSlice(8, 10).fill((byte) 0);
      sockaddr.set(JAVA_SHORT, 18, (short) -1);
      MemorySegment.copy(addr, 0, sockaddr, JAVA_BYTE, 20, 4);
      sockaddr.set(JAVA_INT, 24, 0);
    } else {
      MemorySegment.copy(addr, 0, sockaddr, JAVA_BYTE, 8, 16);
      sockaddr.set(JAVA_INT, 24, ((java.net.Inet6Address) to.getAddress()).getScopeId());
    }
    return 28;
  }

  private static final java.lang.foreign.ValueLayout.OfShort JAVA_SHORT_BE =
      JAVA_SHORT.withOrder(ByteOrder.BIG_ENDIAN);

  @Override
  public void close() {
    arena.close();
  }
}
