package dev.gatehouse.tunnel.tun;

import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The in-memory twin of a TUN device: tests {@link #inject} packets "from the OS" and take what the
 * tunnel delivered with {@link #takeWritten}.
 */
public final class InMemoryTunDevice implements TunDevice {
  private final String name;
  private final int mtu;
  private final ArrayDeque<byte[]> fromOs = new ArrayDeque<>(); // guarded by this
  private final BlockingQueue<byte[]> toOs = new LinkedBlockingQueue<>();
  private volatile boolean closed;

  public InMemoryTunDevice(String name, int mtu) {
    this.name = name;
    this.mtu = mtu;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public int mtu() {
    return mtu;
  }

  /** Queues a packet as if the OS routed it into the interface; refuses packets above MTU. */
  public void inject(byte[] packet) {
    if (packet.length > mtu) {
      throw new IllegalArgumentException("packet of " + packet.length + " exceeds MTU " + mtu);
    }
    byte[] copy = packet.clone();
    synchronized (this) {
      fromOs.add(copy);
      notifyAll();
    }
  }

  /** Waits up to {@code timeoutMillis} for a packet the tunnel wrote; null on timeout. */
  public byte[] takeWritten(long timeoutMillis) throws InterruptedException {
    return toOs.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public boolean awaitReadable(int timeoutMillis) {
    synchronized (this) {
      return waitForPacket(timeoutMillis) || closed;
    }
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) {
    byte[] p;
    synchronized (this) {
      if (closed) {
        return -1;
      }
      if (!waitForPacket(timeoutMillis)) {
        return closed ? -1 : 0;
      }
      p = fromOs.poll();
    }
    int n = Math.min(len, p.length);
    System.arraycopy(p, 0, buf, off, n);
    return n;
  }

  /** Waits (holding this) until a packet is queued or the time is up: whether one is. */
  private boolean waitForPacket(int timeoutMillis) {
    long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
    try {
      while (fromOs.isEmpty() && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(this, left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
    return !fromOs.isEmpty();
  }

  @Override
  public void write(byte[] buf, int off, int len) {
    if (!closed) {
      toOs.add(Arrays.copyOfRange(buf, off, off + len));
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      notifyAll();
    }
  }
}
