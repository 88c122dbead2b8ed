package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.tun.TunDevice;
import java.io.IOException;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts packets and bytes crossing a {@link TunDevice}: {@code read} = from the kernel into the
 * tunnel (resource → client at a gateway), {@code write} = out of the tunnel into the kernel
 * (client → resource).
 */
public final class CountingTunDevice implements TunDevice {
  private final TunDevice inner;
  final LongAdder readPackets = new LongAdder();
  final LongAdder readBytes = new LongAdder();
  final LongAdder writtenPackets = new LongAdder();
  final LongAdder writtenBytes = new LongAdder();

  public CountingTunDevice(TunDevice inner) {
    this.inner = inner;
  }

  @Override
  public String name() {
    return inner.name();
  }

  @Override
  public int mtu() {
    return inner.mtu();
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    int n = inner.read(buf, off, len, timeoutMillis);
    if (n > 0) {
      readPackets.increment();
      readBytes.add(n);
    }
    return n;
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    inner.write(buf, off, len);
    writtenPackets.increment();
    writtenBytes.add(len);
  }

  @Override
  public void close() {
    inner.close();
  }
}
