package dev.gatehouse.client.control;

import java.time.Duration;

/**
 * Reconnect delays: exponential from {@code initial} up to {@code max}, with "equal jitter" (half
 * the delay fixed, half random) so that a fleet of gateways and clients does not reconnect in
 * lockstep after an API node restart. Pure: the random draw is an input.
 */
public record Backoff(Duration initial, Duration max) {

  public Backoff {
    if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
      throw new IllegalArgumentException("need 0 < initial <= max, got " + initial + ", " + max);
    }
  }

  /** 250 ms doubling up to 30 s. */
  public static Backoff defaults() {
    return new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));
  }

  /**
   * The delay before reconnect attempt {@code attempt} (0 for the first retry).
   *
   * @param random a draw from [0, 1)
   */
  public Duration delay(int attempt, double random) {
    long cap = max.toMillis();
    long base = initial.toMillis();
    long exp = attempt >= 30 ? cap : Math.min(cap, base << Math.max(0, attempt));
    long half = exp / 2;
    return Duration.ofMillis(half + (long) (Math.min(Math.max(random, 0), 1) * (exp - half)));
  }
}
