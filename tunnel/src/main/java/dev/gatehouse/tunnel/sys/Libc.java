package dev.gatehouse.tunnel.sys;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The libc calls a TUN device needs, as FFM downcall handles. Every call but {@code close} captures
 * {@code errno} into a caller-owned {@link #CAPTURE} segment (read it with {@link #errno}).
 */
public final class Libc {
  public static final int EINTR = 4;
  public static final int EAGAIN = 11;
  public static final int EADDRINUSE = 98;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LOOKUP = LINKER.defaultLookup();

  /** Layout of the captured call state; allocate one per thread that makes calls. */
  public static final StructLayout CAPTURE = Linker.Option.captureStateLayout();

  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  /** {@code int open(const char *path, int flags)} */
  public static final MethodHandle OPEN =
      downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);

  /** {@code int ioctl(int fd, unsigned long request, void *arg)} */
  public static final MethodHandle IOCTL_PTR =
      downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));

  /** {@code int ioctl(int fd, unsigned long request, unsigned long arg)} */
  public static final MethodHandle IOCTL_LONG =
      downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));

  private static final FunctionDescriptor IO =
      FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG);

  /**
   * {@code ssize_t read(int fd, void *buf, size_t count)} as a critical call that may take a heap
   * segment: for a non-blocking descriptor only (the GC waits while it runs), saving the copy
   * through a native buffer.
   */
  public static final MethodHandle READ_HEAP =
      downcall("read", IO, ERRNO_OPT, Linker.Option.critical(true));

  /**
   * {@code ssize_t write(int fd, const void *buf, size_t count)} as a critical call that may take a
   * heap segment (see {@link #READ_HEAP}).
   */
  public static final MethodHandle WRITE_HEAP =
      downcall("write", IO, ERRNO_OPT, Linker.Option.critical(true));

  /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
  public static final MethodHandle POLL =
      downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);

  /** {@code ssize_t sendmsg(int fd, const struct msghdr *msg, int flags)} */
  public static final MethodHandle SENDMSG =
      downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);

  /** {@code ssize_t recvmsg(int fd, struct msghdr *msg, int flags)} */
  public static final MethodHandle RECVMSG =
      downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);

  /** {@code int socket(int domain, int type, int protocol)} */
  public static final MethodHandle SOCKET =
      downcall("socket", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);

  /** {@code int bind(int fd, const struct sockaddr *addr, socklen_t len)} */
  public static final MethodHandle BIND =
      downcall("bind", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);

  /** {@code int getsockname(int fd, struct sockaddr *addr, socklen_t *len)} */
  public static final MethodHandle GETSOCKNAME =
      downcall(
          "getsockname", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS), ERRNO_OPT);

  /** {@code int eventfd(unsigned int initval, int flags)} */
  public static final MethodHandle EVENTFD =
      downcall("eventfd", FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT), ERRNO_OPT);

  /** {@code int getsockopt(int fd, int level, int name, void *value, socklen_t *len)} */
  public static final MethodHandle GETSOCKOPT =
      downcall(
          "getsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, ADDRESS),
          ERRNO_OPT);

  /** {@code int setsockopt(int fd, int level, int name, const void *value, socklen_t len)} */
  public static final MethodHandle SETSOCKOPT =
      downcall(
          "setsockopt",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT),
          ERRNO_OPT);

  /*
   * The same calls without errno capture, for the per-packet path. Capturing costs a memory
   * segment per call (the JDK slices the capture segment to check it), which only C2's escape
   * analysis removes, and not in every compiled context: a loop around recvmsg measured 120 B per
   * wake-up where it was not removed (LinuxUdpTransportTest). Where a failure needs its errno, make
   * the call again with the capturing handle: it fails the same way (or succeeds, which a
   * non-blocking descriptor makes harmless), and then errno is known.
   */

  /** {@link #RECVMSG} without errno. */
  public static final MethodHandle RECVMSG_NO_ERRNO =
      downcall("recvmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

  /** {@link #SENDMSG} without errno. */
  public static final MethodHandle SENDMSG_NO_ERRNO =
      downcall("sendmsg", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_INT));

  /** {@link #POLL} without errno. */
  public static final MethodHandle POLL_NO_ERRNO =
      downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT));

  /** {@link #READ_HEAP} without errno. */
  public static final MethodHandle READ_HEAP_NO_ERRNO =
      downcall("read", IO, Linker.Option.critical(true));

  /** {@link #WRITE_HEAP} without errno. */
  public static final MethodHandle WRITE_HEAP_NO_ERRNO =
      downcall("write", IO, Linker.Option.critical(true));

  /** {@code int close(int fd)} */
  public static final MethodHandle CLOSE =
      downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  /** {@code void *malloc(size_t size)}: native memory that lives as long as a native object. */
  public static final MethodHandle MALLOC =
      downcall("malloc", FunctionDescriptor.of(ADDRESS, JAVA_LONG));

  /** {@code void free(void *ptr)} */
  public static final MethodHandle FREE = downcall("free", FunctionDescriptor.ofVoid(ADDRESS));

  private Libc() {}

  private static MethodHandle downcall(String fn, FunctionDescriptor fd, Linker.Option... opts) {
    return LINKER.downcallHandle(
        LOOKUP.find(fn).orElseThrow(() -> new IllegalStateException("libc lacks " + fn)), fd, opts);
  }

  public static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }
}
