package dev.gatehouse.apinode.channel;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** The in-memory twin of a WebSocket connection: records what the channel sends. */
public final class InMemoryTransport implements ChannelTransport {

  private final BlockingQueue<String> frames = new LinkedBlockingQueue<>();
  private final List<String> all = new CopyOnWriteArrayList<>();
  private final String remoteIp;
  private volatile String closedReason;

  public InMemoryTransport(String remoteIp) {
    this.remoteIp = remoteIp;
  }

  @Override
  public void send(String frame) {
    if (closedReason == null) {
      frames.add(frame);
      all.add(frame);
    }
  }

  @Override
  public void close(String reason) {
    if (closedReason == null) {
      closedReason = reason;
    }
  }

  @Override
  public String remoteIp() {
    return remoteIp;
  }

  /** The next frame sent, waiting up to {@code timeout}; null if none. */
  public String next(Duration timeout) throws InterruptedException {
    return frames.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  public List<String> sent() {
    return List.copyOf(all);
  }

  public String closedReason() {
    return closedReason;
  }
}
