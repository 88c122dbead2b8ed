package dev.gatehouse.tunnel.net;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends numbered datagrams from one {@link LinuxUdpTransport} to another on 127.0.0.1 as fast as
 * {@code send} takes them, then prints what arrived and what the sender counted on one line:
 *
 * <pre>RESULT sent=N received=M inOrder=true queued=Q droppedSends=D gso=true</pre>
 *
 * Run by {@code LinuxUdpTransportNetnsIT} inside a namespace whose loopback it has slowed or
 * narrowed, so that the socket buffer fills or the kernel refuses UDP GSO for real. Bounded: it
 * sends {@code count} datagrams and waits at most {@code waitSeconds} for them.
 *
 * <p>Usage: {@code UdpSendProbe count size waitSeconds [narrowAfterSending]}: with the fourth
 * argument, loopback's MTU drops to 1,000 once everything is sent, so that GSO batches still queued
 * behind the full buffer are refused when the queue drains.
 */
public final class UdpSendProbe {
  private UdpSendProbe() {}

  public static void main(String[] args) throws Exception {
    int count = Integer.parseInt(args[0]);
    int size = Integer.parseInt(args[1]);
    long waitNanos = TimeUnit.SECONDS.toNanos(Integer.parseInt(args[2]));
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    AtomicInteger received = new AtomicInteger();
    AtomicLong last = new AtomicLong(-1);
    AtomicInteger outOfOrder = new AtomicInteger();
    try (LinuxUdpTransport rx = LinuxUdpTransport.bind(loopback);
        LinuxUdpTransport tx = LinuxUdpTransport.bind(loopback)) {
      rx.start(
          (datagram, sender) -> {
            int seq = datagram.getInt(datagram.position());
            if (seq <= last.get() || datagram.remaining() != size) {
              outOfOrder.incrementAndGet();
            }
            last.set(seq);
            received.incrementAndGet();
          });
      ByteBuffer d = ByteBuffer.allocate(size);
      for (int i = 0; i < count; i++) {
        d.clear();
        d.putInt(0, i);
        tx.send(d, rx.localAddress());
        if (i % 64 == 63) {
          tx.flush();
        }
      }
      tx.flush();
      if (args.length > 3) {
        long queuedBefore = tx.queuedSends();
        Process ip =
            new ProcessBuilder("ip", "link", "set", "lo", "mtu", "1000").inheritIO().start();
        if (ip.waitFor() != 0) {
          throw new IllegalStateException("ip link set lo mtu 1000 failed");
        }
        System.out.println("NARROWED with " + queuedBefore + " sends queued");
      }
      long deadline = System.nanoTime() + waitNanos;
      while (received.get() + tx.droppedSends() < count && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Thread.sleep(200); // anything still on its way, so a duplicate would show
      System.out.println(
          "RESULT sent="
              + count
              + " received="
              + received.get()
              + " inOrder="
              + (outOfOrder.get() == 0)
              + " queued="
              + tx.queuedSends()
              + " droppedSends="
              + tx.droppedSends()
              + " gso="
              + tx.segmentsSends());
    }
  }
}
