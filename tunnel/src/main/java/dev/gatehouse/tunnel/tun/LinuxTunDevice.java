package dev.gatehouse.tunnel.tun;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import dev.gatehouse.tunnel.packet.GsoSegmenter;
import dev.gatehouse.tunnel.packet.TcpCoalescer;
import dev.gatehouse.tunnel.packet.VirtioNetHeader;
import dev.gatehouse.tunnel.sys.HeapSlices;
import dev.gatehouse.tunnel.sys.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A Linux TUN device through the Foreign Function &amp; Memory API (no JNI): {@code
 * open("/dev/net/tun")}, {@code ioctl(TUNSETIFF)}, then {@code poll}/{@code read}/{@code write} on
 * the non-blocking descriptor. Needs CAP_NET_ADMIN (root in a network namespace is fine).
 *
 * <p><b>Offloads.</b> Opened with offloads (the default) it asks for {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD(TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6)}, as wireguard-go does: the kernel
 * then hands over TCP super-packets of up to 64 KiB, which {@link #read} cuts into MTU-sized
 * packets with a {@link GsoSegmenter}, and {@link #write} merges consecutive TCP segments with a
 * {@link TcpCoalescer} until {@link #flush}, so one syscall moves dozens of packets each way. If
 * the kernel refuses either request the device falls back to one plain packet per syscall ({@link
 * #offloads()} tells which). Malformed super-packets are dropped and counted ({@link
 * #droppedReads()}), never thrown.
 *
 * <p>The descriptor is non-blocking, so {@code read}/{@code write} go straight to and from heap
 * arrays as critical calls (no native buffer, no copy); only {@code poll} blocks.
 */
public final class LinuxTunDevice implements TunDevice {
  private static final long TUNSETIFF = 0x400454caL;
  private static final long TUNSETOFFLOAD = 0x400454d0L;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final short IFF_VNET_HDR = 0x4000;
  private static final long TUN_F_CSUM = 0x01;
  private static final long TUN_F_TSO4 = 0x02;
  private static final long TUN_F_TSO6 = 0x04;
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final int O_NONBLOCK = 0x800;
  private static final short POLLIN = 1;
  private static final int IFREQ_SIZE = 40;
  private static final int H = VirtioNetHeader.SIZE;
  private static final int BUFFER_SIZE = 65536 + H;
  private static final int COALESCE_ITEMS = 64;

  private final Arena arena = Arena.ofShared();
  private final int fd;
  private final String name;
  private final int mtu;
  private final boolean offloads;
  private final MemorySegment readState = arena.allocate(Libc.CAPTURE);
  private final MemorySegment pollFd = arena.allocate(8, 4);
  private final MemorySegment writeState = arena.allocate(Libc.CAPTURE);
  private final MemorySegment awaitState = arena.allocate(Libc.CAPTURE);
  private final MemorySegment awaitFd = arena.allocate(8, 4);
  private final Object readLock = new Object();
  private final Object awaitLock = new Object();
  private final Object writeLock = new Object();
  private final AtomicLong droppedReads = new AtomicLong();
  // Read side with offloads: the super-packet read last and the segments not yet handed out.
  private final byte[] superPacket;
  private final MemorySegment superSegment;
  private final GsoSegmenter segmenter;
  private volatile int segmentsLeft;
  private int nextSegment;
  // Write side with offloads: segments held until flush().
  private final TcpCoalescer coalescer;
  private final byte[] plainOut = new byte[BUFFER_SIZE];
  private volatile boolean closed;

  private LinuxTunDevice(int fd, String name, int mtu, boolean offloads) {
    this.fd = fd;
    this.name = name;
    this.mtu = mtu;
    this.offloads = offloads;
    this.superPacket = offloads ? new byte[BUFFER_SIZE] : null;
    this.superSegment = offloads ? MemorySegment.ofArray(superPacket) : null;
    this.segmenter = offloads ? new GsoSegmenter() : null;
    this.coalescer = offloads ? new TcpCoalescer(COALESCE_ITEMS) : null;
    pollFd.set(JAVA_INT, 0, fd);
    pollFd.set(JAVA_SHORT, 4, POLLIN);
    awaitFd.set(JAVA_INT, 0, fd);
    awaitFd.set(JAVA_SHORT, 4, POLLIN);
  }

  /** {@link #open(String, int, boolean)} with offloads. */
  public static LinuxTunDevice open(String name, int mtu) throws IOException {
    return open(name, mtu, true);
  }

  /**
   * Creates (or attaches to) the TUN interface {@code name}, with TSO/checksum offloads if {@code
   * offloads} and the kernel agrees. The MTU is recorded, not applied: set it with {@code ip link
   * set dev NAME mtu MTU}.
   */
  public static LinuxTunDevice open(String name, int mtu, boolean offloads) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    if (n.length == 0 || n.length > 15) {
      throw new IllegalArgumentException("interface name must be 1..15 ASCII characters");
    }
    if (offloads) {
      try {
        return openWith(n, mtu, true);
      } catch (IOException refused) {
        // an old kernel or a pre-existing interface without IFF_VNET_HDR: plain packets
      }
    }
    return openWith(n, mtu, false);
  }

  private static LinuxTunDevice openWith(byte[] n, int mtu, boolean offloads) throws IOException {
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(Libc.CAPTURE);
      int fd =
          (int)
              Libc.OPEN.invokeExact(
                  state, a.allocateFrom("/dev/net/tun"), O_RDWR | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) {
        throw new IOException("open(/dev/net/tun) failed: errno " + Libc.errno(state));
      }
      MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
      MemorySegment.copy(n, 0, ifr, JAVA_BYTE, 0, n.length);
      short flags = (short) (IFF_TUN | IFF_NO_PI | (offloads ? IFF_VNET_HDR : 0));
      ifr.set(JAVA_SHORT, 16, flags);
      int rc = (int) Libc.IOCTL_PTR.invokeExact(state, fd, TUNSETIFF, ifr);
      if (rc == 0 && offloads) {
        rc =
            (int)
                Libc.IOCTL_LONG.invokeExact(
                    state, fd, TUNSETOFFLOAD, TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6);
      }
      if (rc < 0) {
        int err = Libc.errno(state);
        int ignored = (int) Libc.CLOSE.invokeExact(fd);
        throw new IOException(
            "ioctl on "
                + new String(n, StandardCharsets.US_ASCII)
                + " failed: errno "
                + err
                + " (need CAP_NET_ADMIN?)");
      }
      String actual = ifr.getString(0, StandardCharsets.US_ASCII);
      return new LinuxTunDevice(fd, actual, mtu, offloads);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("FFM call failed", t);
    }
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  /** Whether TSO/checksum offloads are on (else one plain packet per syscall). */
  public boolean offloads() {
    return offloads;
  }

  /** Super-packets dropped because their virtio header or lengths were inconsistent. */
  public long droppedReads() {
    return droppedReads.get();
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    synchronized (readLock) {
      if (closed) {
        return -1;
      }
      if (segmentsLeft > 0) {
        return nextSegment(buf, off, len);
      }
      if (!offloads) {
        return readRaw(HeapSlices.current().at(buf, off), len, timeoutMillis);
      }
      int n = readRaw(superSegment, superSegment.byteSize(), timeoutMillis);
      return n <= 0 ? n : splitSuperPacket(n, buf, off, len);
    }
  }

  /** Polls apart from {@link #read}, so another thread can read meanwhile. */
  @Override
  public boolean awaitReadable(int timeoutMillis) throws IOException {
    synchronized (awaitLock) {
      if (closed || segmentsLeft > 0) {
        return true;
      }
      try {
        return poll(awaitState, awaitFd, timeoutMillis) > 0 || closed;
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException("FFM call failed", t);
      }
    }
  }

  @Override
  public boolean holdsSegments() {
    return segmentsLeft > 0;
  }

  private int splitSuperPacket(int n, byte[] buf, int off, int len) {
    if (n <= H) {
      droppedReads.incrementAndGet();
      return 0;
    }
    VirtioNetHeader h = VirtioNetHeader.read(superPacket, 0);
    if (h.flags() == 0 && h.gsoType() == VirtioNetHeader.GSO_NONE) {
      int m = Math.min(n - H, len); // complete already: skip the segmenter's copy
      System.arraycopy(superPacket, H, buf, off, m);
      return m;
    }
    int count = segmenter.prepare(superPacket, H, n - H, h);
    if (count < 0) {
      droppedReads.incrementAndGet();
      return 0;
    }
    segmentsLeft = count;
    nextSegment = 0;
    return nextSegment(buf, off, len);
  }

  private int nextSegment(byte[] buf, int off, int len) {
    int i = nextSegment++;
    segmentsLeft--;
    if (segmenter.length(i) <= len) {
      return segmenter.emit(i, buf, off); // built where the caller wants it: one copy
    }
    // Truncated (TunDevice#read), as when the interface's MTU was raised behind our back.
    segmenter.emit(i, segmenter.buffer(), 0);
    System.arraycopy(segmenter.buffer(), 0, buf, off, len);
    return len;
  }

  /**
   * poll(2) for input on this descriptor through {@code fds} (a pollfd whose events were set at
   * open), errno captured in {@code state}: the number ready, 0 on timeout or an interrupted call.
   */
  private int poll(MemorySegment state, MemorySegment fds, int timeoutMillis) throws Throwable {
    fds.set(JAVA_SHORT, 6, (short) 0);
    int ready = (int) Libc.POLL.invokeExact(state, fds, 1L, timeoutMillis);
    if (ready < 0) {
      int err = Libc.errno(state);
      if (err != Libc.EINTR) {
        throw new IOException("poll on " + name + " failed: errno " + err);
      }
      return 0;
    }
    return ready;
  }

  /**
   * One read(2) straight into the heap segment {@code into} (the descriptor is non-blocking, so a
   * critical call), waiting in poll(2) if nothing is queued: bytes, 0 or -1.
   */
  private int readRaw(MemorySegment into, long len, int timeoutMillis) throws IOException {
    Objects.checkFromIndexSize(0, len, into.byteSize()); // the kernel writes len bytes
    try {
      long n = (long) Libc.READ_HEAP_NO_ERRNO.invokeExact(fd, into, len);
      if (n >= 0) {
        return (int) n;
      }
      // once more, capturing errno (Libc, on why not always): data may have come meanwhile
      n = (long) Libc.READ_HEAP.invokeExact(readState, fd, into, len);
      if (n >= 0) {
        return (int) n;
      }
      int err = Libc.errno(readState);
      if (err != Libc.EAGAIN && err != Libc.EINTR) {
        throw new IOException("read from " + name + " failed: errno " + err);
      }
      if (timeoutMillis == 0) {
        return 0; // nothing queued, and no wait asked for: a poll would only say so again
      }
      int ready = poll(readState, pollFd, timeoutMillis);
      if (closed) {
        return -1;
      }
      if (ready <= 0) {
        return 0;
      }
      n = (long) Libc.READ_HEAP.invokeExact(readState, fd, into, len);
      if (n < 0) {
        int e2 = Libc.errno(readState);
        if (e2 == Libc.EINTR || e2 == Libc.EAGAIN) {
          return 0;
        }
        throw new IOException("read from " + name + " failed: errno " + e2);
      }
      return (int) n;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("FFM call failed", t);
    }
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    write(buf, off, len, false);
  }

  /**
   * With offloads, holds the packet in the coalescer until {@link #flush} (or until the coalescer
   * is full); without, writes it at once.
   */
  @Override
  public void writeBatched(byte[] buf, int off, int len) throws IOException {
    write(buf, off, len, offloads);
  }

  private void write(byte[] buf, int off, int len, boolean hold) throws IOException {
    if (len > BUFFER_SIZE - H) {
      throw new IOException("packet of " + len + " bytes exceeds " + (BUFFER_SIZE - H));
    }
    synchronized (writeLock) {
      if (closed) {
        throw new IOException(name + " is closed");
      }
      if (hold) {
        if (!coalescer.add(buf, off, len)) {
          flushLocked();
          coalescer.add(buf, off, len);
        }
        return;
      }
      if (!offloads) {
        writeRaw(HeapSlices.current().at(buf, off), len);
        return;
      }
      flushLocked(); // keep order with packets held earlier
      VirtioNetHeader.writeNone(plainOut, 0);
      System.arraycopy(buf, off, plainOut, H, len);
      writeRaw(HeapSlices.current().at(plainOut, 0), H + len);
    }
  }

  @Override
  public void flush() throws IOException {
    if (!offloads) {
      return;
    }
    synchronized (writeLock) {
      if (!closed) {
        flushLocked();
      }
    }
  }

  private void flushLocked() throws IOException {
    int n = coalescer.prepare();
    IOException first = null;
    for (int i = 0; i < n; i++) {
      try {
        writeRaw(HeapSlices.current().at(coalescer.buffer(i), 0), coalescer.length(i));
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    coalescer.clear();
    if (first != null) {
      throw first;
    }
  }

  /** One write(2) straight from a heap segment (non-blocking descriptor: a critical call). */
  private void writeRaw(MemorySegment from, long len) throws IOException {
    Objects.checkFromIndexSize(0, len, from.byteSize());
    try {
      long n = (long) Libc.WRITE_HEAP_NO_ERRNO.invokeExact(fd, from, len);
      if (n < 0) { // a TUN write is whole or nothing: write again to learn errno (see Libc)
        n = (long) Libc.WRITE_HEAP.invokeExact(writeState, fd, from, len);
      }
      if (n < 0) {
        throw new IOException("write to " + name + " failed: errno " + Libc.errno(writeState));
      }
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("FFM call failed", t);
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // A reader blocked in poll() wakes up within its timeout and sees 'closed'.
    synchronized (awaitLock) {
      synchronized (readLock) {
        synchronized (writeLock) {
          try {
            int ignored = (int) Libc.CLOSE.invokeExact(fd);
          } catch (Throwable t) {
            // nothing sensible to do
          }
          arena.close();
        }
      }
    }
  }
}
