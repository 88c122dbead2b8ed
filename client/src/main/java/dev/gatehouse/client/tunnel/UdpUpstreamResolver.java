package dev.gatehouse.client.tunnel;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Forwards each query over UDP from its own ephemeral socket (a fresh source port per query, so
 * answers cannot be confused or easily spoofed) and waits up to the timeout on a virtual thread. At
 * most {@value #MAX_IN_FLIGHT} queries are in flight; more are dropped (the asker retries).
 */
public final class UdpUpstreamResolver implements UpstreamResolver {

  static final int MAX_IN_FLIGHT = 256;

  private final InetSocketAddress upstream;
  private final int timeoutMillis;
  private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
  private final Semaphore inFlight = new Semaphore(MAX_IN_FLIGHT);

  public UdpUpstreamResolver(InetSocketAddress upstream, int timeoutMillis) {
    this.upstream = upstream;
    this.timeoutMillis = timeoutMillis;
  }

  @Override
  public void forward(byte[] query, Consumer<byte[]> onAnswer) {
    if (!inFlight.tryAcquire()) {
      return;
    }
    executor.execute(
        () -> {
          try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(timeoutMillis);
            s.send(new DatagramPacket(query, query.length, upstream));
            byte[] buf = new byte[65_535];
            DatagramPacket reply = new DatagramPacket(buf, buf.length);
            while (true) {
              s.receive(reply);
              if (reply.getSocketAddress().equals(upstream)
                  && reply.getLength() >= 2
                  && buf[0] == query[0]
                  && buf[1] == query[1]) {
                onAnswer.accept(Arrays.copyOf(buf, reply.getLength()));
                return;
              }
            }
          } catch (IOException | RuntimeException e) {
            // timeout or unreachable: no answer, the asker retries
          } finally {
            inFlight.release();
          }
        });
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /**
   * The first {@code nameserver} of a resolv.conf, as {@code host:53}, skipping the stub's own
   * address; null when there is none.
   */
  public static InetSocketAddress fromResolvConf(Path resolvConf) {
    try {
      for (String line : Files.readAllLines(resolvConf, StandardCharsets.UTF_8)) {
        String[] f = line.strip().split("\\s+");
        if (f.length >= 2 && f[0].equals("nameserver") && !f[1].equals("100.100.111.1")) {
          String host = f[1];
          int zone = host.indexOf('%');
          return new InetSocketAddress(zone < 0 ? host : host.substring(0, zone), 53);
        }
      }
    } catch (IOException | RuntimeException e) {
      return null;
    }
    return null;
  }
}
