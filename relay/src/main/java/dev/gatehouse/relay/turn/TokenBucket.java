package dev.gatehouse.relay.turn;

/**
 * A token bucket of bytes: {@code ratePerSecond} tokens flow in per second up to {@code burst}.
 * Pure: time comes in as monotonic nanoseconds. Not thread-safe (the core is single-threaded).
 */
public final class TokenBucket {
  private final double ratePerNano;
  private final double burst;
  private double tokens;
  private long lastNanos;

  /** A full bucket at {@code nowNanos}. */
  public TokenBucket(long ratePerSecond, long burst, long nowNanos) {
    if (ratePerSecond <= 0 || burst <= 0) {
      throw new IllegalArgumentException("rate and burst must be positive");
    }
    this.ratePerNano = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
    this.lastNanos = nowNanos;
  }

  /** Takes {@code amount} tokens if the bucket holds them; false (and takes none) otherwise. */
  public boolean tryTake(long amount, long nowNanos) {
    long elapsed = nowNanos - lastNanos;
    if (elapsed > 0) {
      tokens = Math.min(burst, tokens + elapsed * ratePerNano);
      lastNanos = nowNanos;
    }
    if (tokens < amount) {
      return false;
    }
    tokens -= amount;
    return true;
  }
}
