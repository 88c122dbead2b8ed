package dev.gatehouse.tunnel.net;

import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The in-memory twin of a UDP socket: transports attached to one {@link Network} deliver to each
 * other by address, each on its own single thread (like an event loop). A test can drop or inspect
 * datagrams with {@link Network#setFilter}.
 */
public final class InMemoryDatagramTransport implements DatagramTransport {

  /** A lossless in-memory network of transports. */
  public static final class Network {
    private final Map<InetSocketAddress, InMemoryDatagramTransport> nodes =
        new ConcurrentHashMap<>();
    private volatile Predicate<byte[]> filter = d -> true;

    /** Only datagrams for which {@code filter} is true are delivered. */
    public void setFilter(Predicate<byte[]> filter) {
      this.filter = filter;
    }

    public InMemoryDatagramTransport bind(InetSocketAddress address) {
      InMemoryDatagramTransport t = new InMemoryDatagramTransport(this, address);
      if (nodes.putIfAbsent(address, t) != null) {
        throw new IllegalStateException("address in use: " + address);
      }
      return t;
    }
  }

  private final Network network;
  private final InetSocketAddress address;
  private final ScheduledExecutorService loop;
  private final List<Runnable> pending = new ArrayList<>();
  private volatile Receiver receiver;

  private InMemoryDatagramTransport(Network network, InetSocketAddress address) {
    this.network = network;
    this.address = address;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "inmem-udp-" + address.getPort());
              t.setDaemon(true);
              return t;
            });
  }

  @Override
  public void start(Receiver receiver) {
    this.receiver = receiver;
  }

  private final Object flushLock = new Object();

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    byte[] copy = new byte[datagram.remaining()];
    datagram.get(datagram.position(), copy);
    synchronized (pending) {
      pending.add(
          () -> {
            InMemoryDatagramTransport target = network.nodes.get(to);
            if (target != null && network.filter.test(copy)) {
              target.deliver(copy, address);
            }
          });
    }
  }

  private void deliver(byte[] data, InetSocketAddress from) {
    if (loop.isShutdown()) {
      return;
    }
    loop.execute(
        () -> {
          Receiver r = receiver;
          if (r != null) {
            r.onDatagram(ByteBuffer.wrap(data.clone()), from);
            r.onBurstEnd();
          }
        });
  }

  @Override
  public void flush() {
    // One flush at a time: two threads flushing (the TUN reader and the event loop) must not
    // interleave their batches' deliveries, or datagrams would arrive out of order.
    synchronized (flushLock) {
      List<Runnable> batch;
      synchronized (pending) {
        batch = new ArrayList<>(pending);
        pending.clear();
      }
      batch.forEach(Runnable::run);
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    return address;
  }

  @Override
  public void schedule(Runnable task, long periodMillis) {
    loop.scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    network.nodes.remove(address, this);
    loop.shutdownNow();
  }
}
