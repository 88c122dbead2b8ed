package dev.gatehouse.tunnel.tun;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.charset.StandardCharsets;

/**
 * A Linux TUN device through the Foreign Function &amp; Memory API (no JNI): {@code
 * open("/dev/net/tun")}, {@code ioctl(TUNSETIFF)} with {@code IFF_TUN | IFF_NO_PI}, then {@code
 * poll}/{@code read}/{@code write} on the descriptor. Needs CAP_NET_ADMIN (root in a network
 * namespace is fine). Each direction owns a native buffer; packets are copied between it and the
 * caller's array, so no heap memory is pinned during a blocking call.
 */
public final class LinuxTunDevice implements TunDevice {
  private static final long TUNSETIFF = 0x400454caL;
  private static final short IFF_TUN = 0x0001;
  private static final short IFF_NO_PI = 0x1000;
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  private static final int O_NONBLOCK = 0x800;
  private static final short POLLIN = 1;
  private static final int EINTR = 4;
  private static final int EAGAIN = 11;
  private static final int IFREQ_SIZE = 40;
  private static final int BUFFER_SIZE = 65536;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LIBC = LINKER.defaultLookup();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  private static final MethodHandle OPEN =
      downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);
  private static final MethodHandle IOCTL =
      downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));
  private static final MethodHandle READ =
      downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);
  private static final MethodHandle WRITE =
      downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);
  private static final MethodHandle POLL =
      downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);
  private static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private final Arena arena = Arena.ofShared();
  private final int fd;
  private final String name;
  private final int mtu;
  private final MemorySegment readBuf = arena.allocate(BUFFER_SIZE, 16);
  private final MemorySegment readState = arena.allocate(CAPTURE);
  private final MemorySegment pollFd = arena.allocate(8, 4);
  private final MemorySegment writeBuf = arena.allocate(BUFFER_SIZE, 16);
  private final MemorySegment writeState = arena.allocate(CAPTURE);
  private final Object readLock = new Object();
  private final Object writeLock = new Object();
  private volatile boolean closed;

  private static MethodHandle downcall(String fn, FunctionDescriptor fd, Linker.Option... opts) {
    return LINKER.downcallHandle(
        LIBC.find(fn).orElseThrow(() -> new IllegalStateException("libc lacks " + fn)), fd, opts);
  }

  private LinuxTunDevice(int fd, String name, int mtu) {
    this.fd = fd;
    this.name = name;
    this.mtu = mtu;
    pollFd.set(JAVA_INT, 0, fd);
    pollFd.set(JAVA_SHORT, 4, POLLIN);
  }

  /**
   * Creates (or attaches to) the TUN interface {@code name}. The MTU is recorded, not applied: set
   * it with {@code ip link set dev NAME mtu MTU}.
   */
  public static LinuxTunDevice open(String name, int mtu) throws IOException {
    byte[] n = name.getBytes(StandardCharsets.US_ASCII);
    if (n.length == 0 || n.length > 15) {
      throw new IllegalArgumentException("interface name must be 1..15 ASCII characters");
    }
    try (Arena a = Arena.ofConfined()) {
      MemorySegment state = a.allocate(CAPTURE);
      int fd =
          (int)
              OPEN.invokeExact(
                  state, a.allocateFrom("/dev/net/tun"), O_RDWR | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) {
        throw new IOException("open(/dev/net/tun) failed: errno " + errno(state));
      }
      MemorySegment ifr = a.allocate(IFREQ_SIZE, 8);
      MemorySegment.copy(n, 0, ifr, JAVA_BYTE_LAYOUT, 0, n.length);
      ifr.set(JAVA_SHORT, 16, (short) (IFF_TUN | IFF_NO_PI));
      int rc = (int) IOCTL.invokeExact(state, fd, TUNSETIFF, ifr);
      if (rc < 0) {
        int err = errno(state);
        int ignored = (int) CLOSE.invokeExact(fd);
        throw new IOException(
            "ioctl(TUNSETIFF, " + name + ") failed: errno " + err + " (need CAP_NET_ADMIN?)");
      }
      String actual = ifr.getString(0, StandardCharsets.US_ASCII);
      return new LinuxTunDevice(fd, actual, mtu);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("FFM call failed", t);
    }
  }

  private static final java.lang.foreign.ValueLayout.OfByte JAVA_BYTE_LAYOUT =
      java.lang.foreign.ValueLayout.JAVA_BYTE;

  private static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    synchronized (readLock) {
      if (closed) {
        return -1;
      }
      try {
        // Non-blocking descriptor: try to read first (one syscall per packet under load) and
        // only wait in poll() when nothing is queued.
        long n = (long) READ.invokeExact(readState, fd, readBuf, (long) BUFFER_SIZE);
        if (n < 0) {
          int err = errno(readState);
          if (err != EAGAIN && err != EINTR) {
            throw new IOException("read from " + name + " failed: errno " + err);
          }
          pollFd.set(JAVA_SHORT, 6, (short) 0);
          int ready = (int) POLL.invokeExact(readState, pollFd, 1L, timeoutMillis);
          if (closed) {
            return -1;
          }
          if (ready < 0 && errno(readState) != EINTR) {
            throw new IOException("poll on " + name + " failed: errno " + errno(readState));
          }
          if (ready <= 0) {
            return 0;
          }
          n = (long) READ.invokeExact(readState, fd, readBuf, (long) BUFFER_SIZE);
          if (n < 0) {
            int e2 = errno(readState);
            if (e2 == EINTR || e2 == EAGAIN) {
              return 0;
            }
            throw new IOException("read from " + name + " failed: errno " + e2);
          }
        }
        int m = (int) Math.min(n, len);
        MemorySegment.copy(readBuf, JAVA_BYTE_LAYOUT, 0, buf, off, m);
        return m;
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException("FFM call failed", t);
      }
    }
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    if (len > BUFFER_SIZE) {
      throw new IOException("packet of " + len + " bytes exceeds " + BUFFER_SIZE);
    }
    synchronized (writeLock) {
      if (closed) {
        throw new IOException(name + " is closed");
      }
      MemorySegment.copy(buf, off, writeBuf, JAVA_BYTE_LAYOUT, 0, len);
      try {
        long n = (long) WRITE.invokeExact(writeState, fd, writeBuf, (long) len);
        if (n < 0) {
          throw new IOException("write to " + name + " failed: errno " + errno(writeState));
        }
      } catch (IOException | RuntimeException e) {
        throw e;
      } catch (Throwable t) {
        throw new IOException("FFM call failed", t);
      }
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    // A reader blocked in poll() wakes up within its timeout and sees 'closed'.
    synchronized (readLock) {
      synchronized (writeLock) {
        try {
          int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
          // nothing sensible to do
        }
        arena.close();
      }
    }
  }
}
