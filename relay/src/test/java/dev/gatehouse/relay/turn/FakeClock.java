package dev.gatehouse.relay.turn;

import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;

/** A clock tests move by hand; monotonic nanos and wall time advance together. */
final class FakeClock implements InstantSource {
  private long nanos = 1_000_000_000_000L;
  private Instant wall = Instant.parse("2026-11-28T12:00:00Z");

  long nanos() {
    return nanos;
  }

  @Override
  public Instant instant() {
    return wall;
  }

  void advance(Duration d) {
    nanos += d.toNanos();
    wall = wall.plus(d);
  }
}
