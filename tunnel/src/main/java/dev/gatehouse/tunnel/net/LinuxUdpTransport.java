package dev.gatehouse.tunnel.net;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.gatehouse.tunnel.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.net.BindException;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * UDP straight on Linux system calls through FFM, with no per-datagram object: one loop thread
 * waits in {@code poll(2)} and reads with {@link UdpReceiver} ({@code recvmsg(2)} with UDP GRO into
 * one native buffer; each datagram is handed to a {@link NativeReceiver} where it lies, to other
 * receivers in one reused heap buffer). {@link #send} copies each datagram once, into the sending
 * thread's native {@link NativeGsoBatch}, which leaves as one UDP GSO {@code sendmsg} from that
 * thread.
 *
 * <p>Where {@link NettyUdpTransport} allocates a packet, a buffer slice and a sender address per
 * received datagram (about 50 B each: young collections every few seconds under load), this
 * allocates nothing on the data path once the peers' addresses are known.
 *
 * <p><b>Threads.</b> The receiver and the {@link #schedule}d tasks run on the loop thread. {@link
 * #send} and {@link #flush} may be called from any thread: the loop thread's batch is its own,
 * other threads share one batch under a lock. A send that meets a full socket buffer goes to the
 * {@link UdpSendQueue} (up to {@value #MAX_PENDING_BYTES} bytes, beyond which datagrams are dropped
 * and counted, as the network would) and is sent in order by the loop when the socket drains; later
 * sends queue behind it. The kernel refusing UDP GSO (a path narrower than the batch's datagrams:
 * EMSGSIZE) turns it off for the socket's lifetime and sends the batch one datagram at a time.
 */
public final class LinuxUdpTransport implements DatagramTransport, UdpSocketCounters {
  private static final int SOCK_DGRAM = 2;
  private static final int SOCK_NONBLOCK = 0x800;
  private static final int SOCK_CLOEXEC = 0x80000;
  private static final int SOL_SOCKET = 1;
  private static final int SO_SNDBUF = 7;
  private static final int SO_RCVBUF = 8;
  private static final int IPPROTO_IPV6 = 41;
  private static final int IPV6_V6ONLY = 26;
  private static final int SOL_UDP = 17;
  private static final int UDP_SEGMENT = 103;
  private static final int UDP_GRO = 104;
  private static final short POLLIN = 1;
  private static final short POLLOUT = 4;
  private static final int EAFNOSUPPORT = 97;

  /** Socket buffers asked for; {@link #FORCED_BUFFER_BYTES} with CAP_NET_ADMIN, as Netty's. */
  private static final int BUFFER_BYTES = 4 << 20;

  private static final int FORCED_BUFFER_BYTES = 7 << 20;

  /** Bytes queued behind a full socket buffer before new datagrams are dropped. */
  static final int MAX_PENDING_BYTES = 8 << 20;

  private final int fd;
  private final int wakeFd;
  private final boolean ipv6Socket;
  private final InetSocketAddress local;
  private final Arena arena = Arena.ofShared();
  private final Thread loop;
  private volatile boolean running = true;
  private volatile boolean gso;
  private volatile Receiver receiver;
  private boolean closed; // under foreignBatch
  private boolean closedOnLoop; // the loop's own

  // the loop thread's
  private final UdpReceiver receiving;
  private final MemorySegment pollFds = arena.allocate(16, 4);
  private final MemorySegment wakeRead = arena.allocate(8, 8);
  private final NativeGsoBatch loopBatch = new NativeGsoBatch(arena);
  private final DirectUdpSender loopSender;
  private final PeriodicTasks tasks = new PeriodicTasks();

  // other threads', under its own lock
  private final NativeGsoBatch foreignBatch = new NativeGsoBatch(arena);
  private final DirectUdpSender foreignSender;

  private final MemorySegment wakeValue = arena.allocate(JAVA_LONG);

  private final UdpSendQueue pending = new UdpSendQueue(MAX_PENDING_BYTES, arena);
  private final AtomicLong droppedSends = new AtomicLong();

  private LinuxUdpTransport(int fd, int wakeFd, boolean ipv6Socket, boolean gso)
      throws IOException {
    this.fd = fd;
    this.wakeFd = wakeFd;
    this.ipv6Socket = ipv6Socket;
    this.gso = gso;
    this.local = localName(fd);
    this.loopSender = DirectUdpSender.forSocket(fd, ipv6Socket);
    this.foreignSender = DirectUdpSender.forSocket(fd, ipv6Socket);
    this.receiving = new UdpReceiver(fd, arena);
    wakeValue.set(JAVA_LONG, 0, 1L);
    pollFds.set(JAVA_INT, 0, fd);
    pollFds.set(JAVA_INT, 8, wakeFd);
    pollFds.set(JAVA_SHORT, 12, POLLIN);
    this.loop =
        Thread.ofPlatform().name("udp-" + local.getPort()).daemon().unstarted(this::runLoop);
  }

  /**
   * Binds a UDP socket to {@code local} (port 0 picks one; the wildcard address takes IPv6 and IPv4
   * alike where IPv6 exists), with UDP GRO and GSO where the kernel has them.
   */
  public static LinuxUdpTransport bind(InetSocketAddress local) throws IOException {
    return bind(local, true);
  }

  /** Binds a UDP socket; {@code batching} false sends and receives one datagram per call. */
  public static LinuxUdpTransport bind(InetSocketAddress local, boolean batching)
      throws IOException {
    InetAddress ip = local.getAddress();
    boolean wildcard = ip == null || ip.isAnyLocalAddress();
    boolean ipv6 = wildcard || ip instanceof Inet6Address;
    try (Arena a = Arena.ofConfined()) {
      MemorySegment st = a.allocate(Libc.CAPTURE);
      int type = SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC;
      int fd = (int) Libc.SOCKET.invokeExact(st, ipv6 ? 10 : 2, type, 0);
      if (fd < 0 && wildcard && Libc.errno(st) == EAFNOSUPPORT) {
        ipv6 = false; // IPv6 switched off in this kernel
        fd = (int) Libc.SOCKET.invokeExact(st, 2, type, 0);
      }
      if (fd < 0) {
        throw new IOException("socket(SOCK_DGRAM) failed: errno " + Libc.errno(st));
      }
      int wakeFd = -1;
      try {
        if (ipv6 && wildcard) {
          setInt(a, fd, IPPROTO_IPV6, IPV6_V6ONLY, 0);
        }
        setInt(a, fd, SOL_SOCKET, SO_RCVBUF, BUFFER_BYTES);
        setInt(a, fd, SOL_SOCKET, SO_SNDBUF, BUFFER_BYTES);
        MemorySegment sa = a.allocate(SockAddr.SIZE, 8);
        InetSocketAddress bindTo =
            wildcard && ipv6
                ? new InetSocketAddress(InetAddress.getByAddress(new byte[16]), local.getPort())
                : wildcard ? new InetSocketAddress(local.getPort()) : local;
        int len = SockAddr.encode(bindTo, sa, ipv6);
        if ((int) Libc.BIND.invokeExact(st, fd, sa, len) != 0) {
          int err = Libc.errno(st);
          throw err == Libc.EADDRINUSE
              ? new BindException("UDP port " + local.getPort() + " is in use (" + local + ")")
              : new IOException("bind(" + local + ") failed: errno " + err);
        }
        boolean segments = batching && setInt(a, fd, SOL_UDP, UDP_SEGMENT, 0);
        if (batching) {
          setInt(a, fd, SOL_UDP, UDP_GRO, 1);
          DirectUdpSender.forceBuffers(fd, FORCED_BUFFER_BYTES);
        }
        wakeFd = (int) Libc.EVENTFD.invokeExact(st, 0, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (wakeFd < 0) {
          throw new IOException("eventfd failed: errno " + Libc.errno(st));
        }
        LinuxUdpTransport t = new LinuxUdpTransport(fd, wakeFd, ipv6, segments);
        t.loop.start();
        return t;
      } catch (IOException | RuntimeException e) {
        closeFd(fd);
        closeFd(wakeFd);
        throw e;
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("UDP socket setup failed", t);
    }
  }

  private static boolean setInt(Arena a, int fd, int level, int name, int value) throws Throwable {
    MemorySegment v = a.allocate(JAVA_INT);
    v.set(JAVA_INT, 0, value);
    MemorySegment st = a.allocate(Libc.CAPTURE);
    return (int) Libc.SETSOCKOPT.invokeExact(st, fd, level, name, v, 4) == 0;
  }

  private static InetSocketAddress localName(int fd) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment sa = a.allocate(SockAddr.SIZE, 8);
      MemorySegment len = a.allocate(JAVA_INT);
      len.set(JAVA_INT, 0, SockAddr.SIZE);
      MemorySegment st = a.allocate(Libc.CAPTURE);
      if ((int) Libc.GETSOCKNAME.invokeExact(st, fd, sa, len) != 0) {
        throw new IOException("getsockname failed: errno " + Libc.errno(st));
      }
      return SockAddr.decode(sa);
    } catch (IOException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("getsockname failed", t);
    }
  }

  private static void closeFd(int fd) {
    if (fd < 0) {
      return;
    }
    try {
      int unused = (int) Libc.CLOSE.invokeExact(fd);
    } catch (Throwable t) {
      // nothing more to do
    }
  }

  @Override
  public void start(Receiver receiver) {
    this.receiver = receiver;
    wake();
  }

  // ---- the loop ----

  private void runLoop() {
    while (running) {
      try {
        long waitNanos = tasks.nanosUntilNext(System.nanoTime());
        int timeout = (int) (Math.min(waitNanos, 1_000_000_000L) + 999_999) / 1_000_000;
        short events = receiver != null ? POLLIN : 0;
        if (!pending.isEmpty()) {
          events |= POLLOUT;
        }
        pollFds.set(JAVA_SHORT, 4, events);
        pollFds.set(JAVA_SHORT, 6, (short) 0);
        pollFds.set(JAVA_SHORT, 14, (short) 0);
        int ready = (int) Libc.POLL_NO_ERRNO.invokeExact(pollFds, 2L, timeout); // -1: EINTR
        if (ready > 0 && pollFds.get(JAVA_SHORT, 14) != 0) {
          long unused = (long) Libc.READ_HEAP_NO_ERRNO.invokeExact(wakeFd, wakeRead, 8L);
        }
        if (!running) {
          break;
        }
        if (pending.drain(loopSender)) {
          gso = false; // the kernel refused a queued GSO batch, as in transmit
        }
        Receiver r = receiver;
        if (r != null && ready > 0 && pollFds.get(JAVA_SHORT, 6) != 0) {
          if (receiving.receiveBurst(r) > 0) {
            r.onBurstEnd();
            flush();
          }
        }
        tasks.runDue(System.nanoTime());
      } catch (Throwable t) {
        if (!running) {
          break;
        }
        receiving.countDrop(); // a receiver that broke its contract; carry on
      }
    }
    if (closedOnLoop) {
      arena.close();
    }
  }

  // ---- sending ----

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    if (Thread.currentThread() == loop) {
      append(loopBatch, loopSender, datagram, to);
      return;
    }
    synchronized (foreignBatch) {
      if (!closed) {
        append(foreignBatch, foreignSender, datagram, to);
      }
    }
  }

  private void append(
      NativeGsoBatch batch, DirectUdpSender sender, ByteBuffer datagram, InetSocketAddress to) {
    int max = gso ? GsoBatch.MAX_SEGMENTS : 1;
    if (batch.tryAppend(datagram, to, max)) {
      return;
    }
    transmit(batch, sender);
    if (!batch.tryAppend(datagram, to, max)) {
      droppedSends.incrementAndGet(); // larger than any UDP datagram
    }
  }

  @Override
  public void flush() {
    if (Thread.currentThread() == loop) {
      transmit(loopBatch, loopSender);
      return;
    }
    synchronized (foreignBatch) {
      if (!closed) {
        transmit(foreignBatch, foreignSender);
      }
    }
  }

  /** Sends what {@code batch} holds (or queues it behind earlier sends) and empties it. */
  private void transmit(NativeGsoBatch batch, DirectUdpSender sender) {
    if (batch.isEmpty()) {
      return;
    }
    int segment = batch.count() > 1 ? batch.segmentSize() : 0;
    int r = sendOrQueue(sender, batch.data(), batch.length(), segment, batch.to());
    if (r == DirectUdpSender.FAILED && segment > 0) {
      gso = false; // the kernel (or the route's device) refuses UDP GSO: as wireguard-go, stop
      for (int at = 0; at < batch.length(); at += segment) {
        int len = Math.min(segment, batch.length() - at);
        sendOrQueue(sender, batch.data().asSlice(at, len), len, 0, batch.to());
      }
    }
    batch.clear();
  }

  /** Sends now unless sends are queued already or the socket is full, then queues a copy. */
  private int sendOrQueue(
      DirectUdpSender sender, MemorySegment data, int len, int segment, InetSocketAddress to) {
    int r = pending.isEmpty() ? sender.send(data, len, segment, to) : DirectUdpSender.WOULD_BLOCK;
    if (r == DirectUdpSender.WOULD_BLOCK) {
      if (pending.add(data, len, segment, to) && Thread.currentThread() != loop) {
        wake(); // the loop waits for the socket to drain
      }
    } else if (r == DirectUdpSender.NO_ROUTE || (r == DirectUdpSender.FAILED && segment == 0)) {
      droppedSends.addAndGet(UdpSendQueue.datagrams(len, segment));
    }
    return r;
  }

  private void wake() {
    try {
      long unused = (long) Libc.WRITE_HEAP_NO_ERRNO.invokeExact(wakeFd, wakeValue, 8L);
    } catch (Throwable t) {
      // the loop still wakes within its timeout
    }
  }

  // ---- the rest ----

  /** Whether sends leave as UDP GSO batches (false once the kernel refused one). */
  @Override
  public boolean segmentsSends() {
    return gso;
  }

  /** Sends (a datagram, or a GSO batch of them) that met a full socket buffer and were queued. */
  @Override
  public long queuedSends() {
    return pending.queued();
  }

  /** Datagrams not sent: unroutable, refused, or beyond the queue behind a full socket. */
  @Override
  public long droppedSends() {
    return droppedSends.get() + pending.dropped();
  }

  /** Datagrams received but not delivered: truncated, of an unknown family, or thrown on. */
  @Override
  public long droppedReceives() {
    return receiving.dropped();
  }

  @Override
  public InetSocketAddress localAddress() {
    return local;
  }

  @Override
  public void schedule(Runnable task, long periodMillis) {
    tasks.add(task, TimeUnit.MILLISECONDS.toNanos(periodMillis), System.nanoTime());
    wake();
  }

  @Override
  public void close() {
    synchronized (foreignBatch) {
      if (closed) {
        return;
      }
      closed = true;
      running = false;
    }
    wake();
    if (Thread.currentThread() != loop) {
      try {
        loop.join(2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeFd(fd);
    closeFd(wakeFd);
    if (Thread.currentThread() == loop) {
      closedOnLoop = true; // from one of its own tasks: the loop frees its memory as it ends
    } else if (!loop.isAlive()) {
      arena.close();
    }
  }
}
