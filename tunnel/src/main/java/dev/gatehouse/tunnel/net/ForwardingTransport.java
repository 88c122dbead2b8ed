package dev.gatehouse.tunnel.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/** A {@link DatagramTransport} that hands everything to another; subclasses change a part. */
public abstract class ForwardingTransport implements DatagramTransport {
  protected final DatagramTransport inner;

  protected ForwardingTransport(DatagramTransport inner) {
    this.inner = inner;
  }

  @Override
  public void start(Receiver receiver) {
    inner.start(receiver);
  }

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    inner.send(datagram, to);
  }

  @Override
  public void flush() {
    inner.flush();
  }

  @Override
  public InetSocketAddress localAddress() {
    return inner.localAddress();
  }

  @Override
  public void schedule(Runnable task, long periodMillis) {
    inner.schedule(task, periodMillis);
  }

  @Override
  public void close() {
    inner.close();
  }
}
