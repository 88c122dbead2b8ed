package dev.gatehouse.client.tunnel;

import dev.gatehouse.tunnel.tun.ForwardingTunDevice;
import dev.gatehouse.tunnel.tun.TunDevice;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A {@link TunDevice} decorator that asks a {@link Gate} about every packet the OS hands over
 * before the tunnel sees it, so the client can hold packets for resources without a flow. Packets
 * given to {@link #release} come out of {@link #read} ahead of new ones, without asking the gate
 * again. Writes, batched ones included, go straight through (the device's TCP coalescing stays on).
 */
public final class GatedTunDevice extends ForwardingTunDevice {

  /** Decides on one packet read from the OS; true lets it into the tunnel. */
  @FunctionalInterface
  public interface Gate {
    boolean pass(byte[] buf, int off, int len);
  }

  private final Gate gate;
  private final ConcurrentLinkedQueue<byte[]> released = new ConcurrentLinkedQueue<>();

  public GatedTunDevice(TunDevice inner, Gate gate) {
    super(inner);
    this.gate = gate;
  }

  /** Queues packets to enter the tunnel on the next reads (within the read timeout). */
  public void release(List<byte[]> packets) {
    released.addAll(packets);
  }

  @Override
  public boolean awaitReadable(int timeoutMillis) throws IOException {
    return !released.isEmpty() || delegate.awaitReadable(timeoutMillis);
  }

  /**
   * No: the gate takes the client agent's lock, which its control thread may hold while it
   * reconfigures the interface; the engine's event loop must not wait for that.
   */
  @Override
  public boolean readsPromptly() {
    return false;
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    byte[] p = released.poll();
    if (p != null) {
      int n = Math.min(len, p.length);
      System.arraycopy(p, 0, buf, off, n);
      return n;
    }
    int n = delegate.read(buf, off, len, timeoutMillis);
    if (n > 0 && !gate.pass(buf, off, n)) {
      return 0; // held or dropped; the engine reads again
    }
    return n;
  }
}
