package dev.gatehouse.tunnel.wireguard;

import java.time.Duration;

/** A clock tests move by hand; monotonic and wall time advance together. */
public final class FakeClock implements TunnelClock {
  private long mono = 1_000_000_000_000L;
  private long epoch = 1_780_000_000_000_000_000L;

  @Override
  public synchronized long monotonicNanos() {
    return mono;
  }

  @Override
  public synchronized long epochNanos() {
    return epoch;
  }

  public synchronized void advance(Duration d) {
    mono += d.toNanos();
    epoch += d.toNanos();
  }
}
