package dev.gatehouse.tunnel.runner;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.tun.TunDevice;
import dev.gatehouse.tunnel.wireguard.TunnelResult;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * Wires a {@link WireGuardDevice} to a {@link TunDevice} and a {@link DatagramTransport}: a reader
 * thread moves packets TUN → device → UDP; the transport's event loop moves datagrams UDP → device
 * → TUN and polls the timers every {@value #TIMER_PERIOD_MILLIS} ms. Each thread owns its output
 * buffer.
 */
public final class TunnelEngine implements AutoCloseable {
  /** Timer poll period (boringtun polls every 250 ms; finer makes retries more punctual). */
  public static final int TIMER_PERIOD_MILLIS = 100;

  private final WireGuardDevice device;
  private final TunDevice tun;
  private final DatagramTransport transport;
  private final Consumer<String> log;
  private final Thread reader;
  private final ByteBuffer netOut = ByteBuffer.allocate(65536 + WireGuardDevice.OVERHEAD);
  private final AtomicLong tunWriteErrors = new AtomicLong();
  private volatile boolean running = true;

  public TunnelEngine(
      WireGuardDevice device, TunDevice tun, DatagramTransport transport, Consumer<String> log) {
    this.device = device;
    this.tun = tun;
    this.transport = transport;
    this.log = log;
    this.reader =
        Thread.ofPlatform().name("tun-reader-" + tun.name()).daemon().unstarted(this::readTun);
  }

  /** Starts the threads. */
  public TunnelEngine start() {
    transport.start(
        new DatagramTransport.Receiver() {
          @Override
          public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
            handle(device.decapsulate(datagram, sender, netOut), netOut);
            drain(netOut);
          }

          @Override
          public void onBurstEnd() {
            flushTun();
            transport.flush();
          }
        });
    transport.schedule(
        () -> {
          device.updateTimers();
          drain(netOut);
          flushTun();
          transport.flush();
        },
        TIMER_PERIOD_MILLIS);
    reader.start();
    return this;
  }

  private void readTun() {
    byte[] packet = new byte[65536];
    ByteBuffer out = ByteBuffer.allocate(65536 + WireGuardDevice.OVERHEAD);
    int sinceFlush = 0;
    while (running) {
      int n;
      try {
        // Flush once per burst: a zero-timeout read tells whether more packets are queued.
        n = tun.read(packet, 0, packet.length, 0);
        if (n == 0) {
          transport.flush();
          n = tun.read(packet, 0, packet.length, 200);
        }
      } catch (IOException e) {
        if (running) {
          log.accept("TUN read failed, stopping: " + e.getMessage());
        }
        return;
      }
      if (n < 0) {
        return;
      }
      if (n == 0) {
        continue;
      }
      handle(device.encapsulate(ByteBuffer.wrap(packet, 0, n), out), out);
      drain(out);
      if (++sinceFlush >= 64) { // one GSO batch
        transport.flush();
        sinceFlush = 0;
      }
    }
  }

  private void drain(ByteBuffer out) {
    for (int i = 0; i < 10_000; i++) {
      TunnelResult r = device.poll(out);
      if (r instanceof TunnelResult.Done) {
        return;
      }
      handle(r, out);
    }
  }

  private void handle(TunnelResult r, ByteBuffer out) {
    switch (r) {
      case TunnelResult.WriteToNetwork w -> transport.send(out, w.endpoint());
      case TunnelResult.WriteToTunnel t -> {
        try {
          tun.writeBatched(out.array(), out.arrayOffset(), out.limit());
        } catch (IOException e) {
          if (tunWriteErrors.getAndIncrement() == 0) {
            log.accept("TUN write failed: " + e.getMessage());
          }
        }
      }
      case TunnelResult.Done d -> {}
      case TunnelResult.Dropped d -> {}
    }
  }

  /** TUN writes happen on the transport's thread only, so that thread flushes them. */
  private void flushTun() {
    try {
      tun.flush();
    } catch (IOException e) {
      if (tunWriteErrors.getAndIncrement() == 0) {
        log.accept("TUN write failed: " + e.getMessage());
      }
    }
  }

  public WireGuardDevice device() {
    return device;
  }

  @Override
  public void close() {
    running = false;
    tun.close();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
  }
}
