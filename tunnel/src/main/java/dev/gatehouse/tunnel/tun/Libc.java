package dev.gatehouse.tunnel.tun;

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
final class Libc {
  static final int EINTR = 4;
  static final int EAGAIN = 11;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final SymbolLookup LOOKUP = LINKER.defaultLookup();

  /** Layout of the captured call state; allocate one per thread that makes calls. */
  static final StructLayout CAPTURE = Linker.Option.captureStateLayout();

  private static final VarHandle ERRNO =
      CAPTURE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
  private static final Linker.Option ERRNO_OPT = Linker.Option.captureCallState("errno");

  /** {@code int open(const char *path, int flags)} */
  static final MethodHandle OPEN =
      downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT), ERRNO_OPT);

  /** {@code int ioctl(int fd, unsigned long request, void *arg)} */
  static final MethodHandle IOCTL_PTR =
      downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, ADDRESS),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));

  /** {@code int ioctl(int fd, unsigned long request, unsigned long arg)} */
  static final MethodHandle IOCTL_LONG =
      downcall(
          "ioctl",
          FunctionDescriptor.of(JAVA_INT, JAVA_INT, JAVA_LONG, JAVA_LONG),
          ERRNO_OPT,
          Linker.Option.firstVariadicArg(2));

  /** {@code ssize_t read(int fd, void *buf, size_t count)} */
  static final MethodHandle READ =
      downcall("read", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);

  /** {@code ssize_t write(int fd, const void *buf, size_t count)} */
  static final MethodHandle WRITE =
      downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG), ERRNO_OPT);

  /** {@code int poll(struct pollfd *fds, nfds_t nfds, int timeout)} */
  static final MethodHandle POLL =
      downcall("poll", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT), ERRNO_OPT);

  /** {@code int close(int fd)} */
  static final MethodHandle CLOSE = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));

  private Libc() {}

  private static MethodHandle downcall(String fn, FunctionDescriptor fd, Linker.Option... opts) {
    return LINKER.downcallHandle(
        LOOKUP.find(fn).orElseThrow(() -> new IllegalStateException("libc lacks " + fn)), fd, opts);
  }

  static int errno(MemorySegment state) {
    return (int) ERRNO.get(state, 0L);
  }
}
