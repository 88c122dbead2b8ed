package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.net.DatagramTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/** Counts datagrams and bytes received and sent through a {@link DatagramTransport}. */
public final class CountingTransport implements DatagramTransport {
  private final DatagramTransport inner;
  final LongAdder rxPackets = new LongAdder();
  final LongAdder rxBytes = new LongAdder();
  final LongAdder txPackets = new LongAdder();
  final LongAdder txBytes = new LongAdder();

  public CountingTransport(DatagramTransport inner) {
    this.inner = inner;
  }

  @Override
  public void start(Receiver receiver) {
    inner.start(
        new Receiver() {
          @Override
          public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
            rxPackets.increment();
            rxBytes.add(datagram.remaining());
            receiver.onDatagram(datagram, sender);
          }

          @Override
          public void onBurstEnd() {
            receiver.onBurstEnd();
          }
        });
  }

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    txPackets.increment();
    txBytes.add(datagram.remaining());
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
