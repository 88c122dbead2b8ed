package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.ForwardingTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.LongAdder;

/** Counts datagrams and bytes received and sent through a {@link DatagramTransport}. */
public final class CountingTransport extends ForwardingTransport {
  final LongAdder rxPackets = new LongAdder();
  final LongAdder rxBytes = new LongAdder();
  final LongAdder txPackets = new LongAdder();
  final LongAdder txBytes = new LongAdder();

  public CountingTransport(DatagramTransport inner) {
    super(inner);
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
}
