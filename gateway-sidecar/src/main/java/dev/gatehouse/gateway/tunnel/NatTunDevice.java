package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.gateway.nat.NatTable;
import dev.gatehouse.tunnel.tun.ForwardingTunDevice;
import dev.gatehouse.tunnel.tun.TunDevice;
import java.io.IOException;

/**
 * Applies the {@link NatTable} where packets cross the TUN interface: a packet the tunnel writes
 * (client → resource, already permitted by the client's filter on its real destination) gets its
 * proxy destination replaced; a packet the kernel hands over (resource → client) gets its real
 * source replaced by the proxy address. Rewrites in place, in the caller's buffer; batched writes
 * stay batched.
 */
public final class NatTunDevice extends ForwardingTunDevice {
  private final NatTable nat;

  public NatTunDevice(TunDevice inner, NatTable nat) {
    super(inner);
    this.nat = nat;
  }

  @Override
  public int read(byte[] buf, int off, int len, int timeoutMillis) throws IOException {
    int n = delegate.read(buf, off, len, timeoutMillis);
    if (n > 0) {
      nat.inbound(buf, off, n, System.nanoTime());
    }
    return n;
  }

  @Override
  public void write(byte[] buf, int off, int len) throws IOException {
    nat.outbound(buf, off, len, System.nanoTime());
    delegate.write(buf, off, len);
  }

  @Override
  public void writeBatched(byte[] buf, int off, int len) throws IOException {
    nat.outbound(buf, off, len, System.nanoTime());
    delegate.writeBatched(buf, off, len);
  }
}
