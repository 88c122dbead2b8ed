package dev.gatehouse.tunnel.wireguard;

/**
 * The time source of the core. Timers use the monotonic clock; TAI64N timestamps of handshake
 * initiations use wall-clock time. Tests pass a fake whose two clocks move together.
 */
public interface TunnelClock {

  /** Monotonic nanoseconds, like {@link System#nanoTime()}; only differences are meaningful. */
  long monotonicNanos();

  /** Wall-clock nanoseconds since the Unix epoch. */
  long epochNanos();

  /** The system clocks. */
  static TunnelClock system() {
    return new TunnelClock() {
      @Override
      public long monotonicNanos() {
        return System.nanoTime();
      }

      @Override
      public long epochNanos() {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
      }
    };
  }
}
