package dev.gatehouse.tunnel.tun;

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
  private final BlockingQueue<byte[]> fromOs = new LinkedBlockingQueue<>();
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
    fromOs.add(packet.clone());
  }

  /** Waits up to {@code timeoutMillis} for a packet the tunnel wrote; null on timeout. */
  public byte[] takeWritten(long timeoutMillis) throws InterruptedException {
    return toOs.poll(timeoutMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) {
    if (closed) {
      return -1;
    }
    byte[] p;
    try {
      p = fromOs.poll(timeoutMillis, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
    if (p == null) {
      return closed ? -1 : 0;
    }
    int n = Math.min(len, p.length);
    System.arraycopy(p, 0, buf, off, n);
    return n;
  }

  @Override
  public void write(byte[] buf, int off, int len) {
    if (!closed) {
      toOs.add(Arrays.copyOfRange(buf, off, off + len));
    }
  }

  @Override
  public void close() {
    closed = true;
  }
}
