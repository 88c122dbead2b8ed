package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.tun.ForwardingTunDevice;
import dev.gatehouse.tunnel.tun.TunDevice;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts packets and bytes crossing a {@link TunDevice}: {@code read} = from the kernel into the
 * tunnel (resource → client at a gateway), {@code write} = out of the tunnel into the kernel
 * (client → resource). Batched writes are counted too and still reach the device batched, so its
 * TCP coalescing keeps working.
 */
public final class CountingTunDevice extends ForwardingTunDevice {
  final LongAdder readPackets = new LongAdder();
  final LongAdder readBytes = new LongAdder();
  final LongAdder writtenPackets = new LongAdder();
  final LongAdder writtenBytes = new LongAdder();

  public CountingTunDevice(TunDevice inner) {
    super(inner);
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    int n = delegate.read(buf, off, len, timeoutMillis);
    if (n > 0) {
      readPackets.increment();
      readBytes.add(n);
    }
    return n;
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    delegate.write(buf, off, len);
    countWrite(len);
  }

  @Override
  public void writeBatched(byte[] buf, int off, int len) throws IOException {
    delegate.writeBatched(buf, off, len);
    countWrite(len);
  }

  private void countWrite(int len) {
    writtenPackets.increment();
    writtenBytes.add(len);
  }
}
