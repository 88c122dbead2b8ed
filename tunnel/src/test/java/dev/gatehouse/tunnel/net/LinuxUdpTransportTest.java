package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.management.ManagementFactory;
import java.net.BindException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The FFM socket: bursts arrive whole and in order (with GRO/GSO or without, and to and from
 * Netty's socket, which is held to the same), senders are reported as the peers' endpoints, and
 * receiving allocates nothing.
 */
class LinuxUdpTransportTest {

  @ParameterizedTest
  @CsvSource({
    "linux, linux, true", "linux, linux, false",
    "netty, linux, true", "linux, netty, true",
    "netty, netty, true", "netty, netty, false"
  })
  void burstsFromAnotherThreadArriveIntactAndInOrder(String from, String to, boolean batching)
      throws Exception {
    int count = 300;
    List<byte[]> received = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    try (DatagramTransport rx = bind(to, batching);
        DatagramTransport tx = bind(from, batching)) {
      rx.start(
          (datagram, sender) -> {
            byte[] b = new byte[datagram.remaining()];
            datagram.get(b);
            received.add(b);
            done.countDown();
          });
      for (int i = 0; i < count; i++) {
        int size = i % 50 == 49 ? 300 + i : 1452; // runs of equal sizes, a short one now and then
        byte[] d = new byte[size];
        d[0] = (byte) i;
        d[size - 1] = (byte) (i * 7);
        tx.send(ByteBuffer.wrap(d), rx.localAddress());
        if (i % 40 == 39) {
          tx.flush();
          Thread.sleep(5); // loopback UDP drops when the receiver's buffer fills
        }
      }
      tx.flush();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
    for (int i = 0; i < count; i++) {
      byte[] d = received.get(i);
      assertThat(d.length).isEqualTo(i % 50 == 49 ? 300 + i : 1452);
      assertThat(d[0]).isEqualTo((byte) i);
      assertThat(d[d.length - 1]).isEqualTo((byte) (i * 7));
    }
  }

  @Test
  void repliesOnTheLoopReachTheSenderItReported() throws Exception {
    AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
    CountDownLatch echoed = new CountDownLatch(1);
    try (LinuxUdpTransport a = LinuxUdpTransport.bind(loopback());
        LinuxUdpTransport b = LinuxUdpTransport.bind(loopback())) {
      b.start(
          (datagram, sender) -> {
            seen.set(sender);
            b.send(datagram, sender); // on b's loop: flushed at the burst's end
          });
      a.start((datagram, sender) -> echoed.countDown());
      a.send(ByteBuffer.wrap(new byte[] {1, 2, 3}), b.localAddress());
      a.flush();
      assertThat(echoed.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.get()).isEqualTo(a.localAddress());
    }
  }

  @Test
  void theWildcardSocketTakesIpv4AndReportsIpv4Senders() throws Exception {
    AtomicReference<InetSocketAddress> seen = new AtomicReference<>();
    CountDownLatch got = new CountDownLatch(1);
    try (LinuxUdpTransport any = LinuxUdpTransport.bind(new InetSocketAddress(0));
        LinuxUdpTransport v4 = LinuxUdpTransport.bind(loopback())) {
      any.start(
          (datagram, sender) -> {
            seen.set(sender);
            got.countDown();
          });
      v4.send(
          ByteBuffer.wrap(new byte[8]),
          new InetSocketAddress("127.0.0.1", any.localAddress().getPort()));
      v4.flush();
      assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(seen.get().getAddress()).isInstanceOf(Inet4Address.class);
      assertThat(seen.get()).isEqualTo(v4.localAddress());
    }
  }

  @Test
  void ipv6LoopbackWorks() throws Exception {
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("::1"), 0);
    CountDownLatch got = new CountDownLatch(1);
    try (LinuxUdpTransport rx = LinuxUdpTransport.bind(v6);
        LinuxUdpTransport tx = LinuxUdpTransport.bind(v6)) {
      rx.start((datagram, sender) -> got.countDown());
      tx.send(ByteBuffer.wrap(new byte[100]), rx.localAddress());
      tx.flush();
      assertThat(got.await(5, TimeUnit.SECONDS)).isTrue();
      // an IPv4 destination is beyond an IPv6 loopback socket: dropped and counted, not thrown
      tx.send(ByteBuffer.wrap(new byte[100]), new InetSocketAddress("127.0.0.1", 9));
      tx.flush();
      assertThat(tx.droppedSends()).isEqualTo(1);
    }
  }

  @Test
  void aTakenPortIsABindExceptionNamingIt() throws Exception {
    try (LinuxUdpTransport first = LinuxUdpTransport.bind(loopback())) {
      int port = first.localAddress().getPort();
      assertThatThrownBy(() -> LinuxUdpTransport.bind(new InetSocketAddress("127.0.0.1", port)))
          .isInstanceOf(BindException.class)
          .hasMessageContaining(String.valueOf(port));
    }
  }

  @Test
  void scheduledTasksRunOnTheLoopAndAThrowingOneKeepsGoing() throws Exception {
    CountDownLatch ticks = new CountDownLatch(5);
    AtomicReference<String> thread = new AtomicReference<>();
    try (LinuxUdpTransport t = LinuxUdpTransport.bind(loopback())) {
      t.schedule(
          () -> {
            thread.set(Thread.currentThread().getName());
            ticks.countDown();
            throw new IllegalStateException("a task's bug");
          },
          10);
      assertThat(ticks.await(5, TimeUnit.SECONDS)).isTrue();
      assertThat(thread.get()).isEqualTo("udp-" + t.localAddress().getPort());
    }
  }

  @Test
  void closeIsPromptAndLaterSendsAreIgnored() throws Exception {
    LinuxUdpTransport t = LinuxUdpTransport.bind(loopback());
    t.start((datagram, sender) -> {});
    long start = System.nanoTime();
    t.close();
    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(1000);
    t.send(ByteBuffer.wrap(new byte[10]), new InetSocketAddress("127.0.0.1", 9));
    t.flush();
    t.close();
  }

  @ParameterizedTest
  @CsvSource({"heap", "native"})
  void receivingAllocatesNothingPerDatagram(String receiverKind) throws Exception {
    var threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    AtomicInteger got = new AtomicInteger();
    try (LinuxUdpTransport rx = LinuxUdpTransport.bind(loopback());
        LinuxUdpTransport tx = LinuxUdpTransport.bind(loopback())) {
      rx.start(
          receiverKind.equals("heap")
              ? (datagram, sender) -> got.incrementAndGet()
              : new DatagramTransport.NativeReceiver() {
                @Override
                public void onDatagram(
                    MemorySegment buffer, long offset, int length, InetSocketAddress sender) {
                  got.incrementAndGet();
                }

                @Override
                public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
                  throw new AssertionError("a native receiver gets datagrams where they lie");
                }
              });
      long loop =
          Thread.getAllStackTraces().keySet().stream()
              .filter(t -> t.getName().equals("udp-" + rx.localAddress().getPort()))
              .findFirst()
              .orElseThrow()
              .threadId();
      ByteBuffer d = ByteBuffer.wrap(new byte[1200]);
      long self = Thread.currentThread().threadId();
      long bytes = 0;
      long sent = 0;
      int datagrams = 0;
      for (int round = 0; round < 6; round++) { // the first rounds warm up the JIT, the caches
        long before = threads.getThreadAllocatedBytes(loop);
        long sentBefore = threads.getThreadAllocatedBytes(self);
        int start = got.get();
        sendBursts(tx, rx, d, got, 20_000);
        sent = threads.getThreadAllocatedBytes(self) - sentBefore;
        bytes = threads.getThreadAllocatedBytes(loop) - before;
        datagrams = got.get() - start;
      }
      assertThat(datagrams).isGreaterThan(10_000);
      // Netty's path allocates about 50 B a datagram; this one nothing, but allow a little noise
      assertThat((double) bytes / datagrams).isLessThan(1.0);
      // and sending (a copy into the native batch, sendmsg) nothing either
      assertThat((double) sent / 20_000).isLessThan(1.0);
    }
  }

  @Test
  void aNativeReceiverReadsEachDatagramWhereItLiesInOrder() throws Exception {
    int count = 300;
    List<byte[]> received = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(count);
    try (LinuxUdpTransport rx = LinuxUdpTransport.bind(loopback());
        LinuxUdpTransport tx = LinuxUdpTransport.bind(loopback())) {
      rx.start(
          new DatagramTransport.NativeReceiver() {
            @Override
            public void onDatagram(
                MemorySegment buffer, long offset, int length, InetSocketAddress sender) {
              assertThat(sender).isEqualTo(tx.localAddress());
              received.add(buffer.asSlice(offset, length).toArray(ValueLayout.JAVA_BYTE));
              done.countDown();
            }

            @Override
            public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
              throw new AssertionError("a native receiver gets datagrams where they lie");
            }
          });
      for (int i = 0; i < count; i++) {
        byte[] d = new byte[i % 30 == 29 ? 100 + i : 1300]; // GRO runs, a short one now and then
        Arrays.fill(d, (byte) i);
        tx.send(ByteBuffer.wrap(d), rx.localAddress());
        if (i % 30 == 29) {
          tx.flush();
          Thread.sleep(5);
        }
      }
      tx.flush();
      assertThat(done.await(10, TimeUnit.SECONDS)).isTrue();
    }
    for (int i = 0; i < count; i++) {
      byte[] d = received.get(i);
      assertThat(d).hasSize(i % 30 == 29 ? 100 + i : 1300);
      assertThat(d[0]).isEqualTo((byte) i);
      assertThat(d[d.length - 1]).isEqualTo((byte) i);
    }
  }

  /** Sends {@code n} datagrams in flushed bursts of 32, pausing so loopback does not drop many. */
  private static void sendBursts(
      LinuxUdpTransport tx, LinuxUdpTransport rx, ByteBuffer d, AtomicInteger got, int n)
      throws InterruptedException {
    int target = got.get() + n;
    for (int i = 0; i < n; i++) {
      tx.send(d.clear(), rx.localAddress());
      if (i % BURST == BURST - 1) {
        tx.flush();
        LockSupport.parkNanos(200_000);
      }
    }
    tx.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (got.get() < target * 0.9 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
  }

  private static final int BURST = Integer.getInteger("burst", 32);

  private static DatagramTransport bind(String kind, boolean batching) throws Exception {
    return kind.equals("netty")
        ? NettyUdpTransport.bind(loopback(), batching)
        : LinuxUdpTransport.bind(loopback(), batching);
  }

  private static InetSocketAddress loopback() {
    return new InetSocketAddress("127.0.0.1", 0);
  }
}
