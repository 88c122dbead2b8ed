package dev.gatehouse.tunnel.wireguard;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Map;

/**
 * Decides when the device is "under load" (§5.3: then handshakes need a valid mac2, i.e. a cookie
 * bound to the source address) and rate-limits handshakes per source address while under load
 * (wireguard-go's ratelimiter: 20 per second, burst 5). Thread-safe (synchronized).
 */
final class LoadMonitor {
  private static final long SECOND = 1_000_000_000L;
  private static final long UNDER_LOAD_AFTER = SECOND; // stay under load this long (wireguard-go)
  private static final long PER_SOURCE_RATE = 20;
  private static final long PER_SOURCE_BURST = 5;
  private static final int MAX_TRACKED_SOURCES = 4096;

  private final int threshold;
  private long windowStart;
  private int countInWindow;
  private long underLoadUntil;
  private boolean everUnderLoad;
  private boolean started;
  private final Map<InetAddress, long[]> buckets = new HashMap<>(); // {tokens*SECOND, lastNanos}

  /**
   * @param handshakesPerSecond handshake messages per second above which the device is under load;
   *     0 means always under load (tests)
   */
  LoadMonitor(int handshakesPerSecond) {
    this.threshold = handshakesPerSecond;
  }

  /** Records one received handshake message and returns whether we are now under load. */
  synchronized boolean recordAndCheck(long now) {
    if (threshold <= 0) {
      return true;
    }
    if (!started || now - windowStart >= SECOND) {
      windowStart = now;
      countInWindow = 0;
      started = true;
    }
    countInWindow++;
    if (countInWindow > threshold) {
      underLoadUntil = now + UNDER_LOAD_AFTER;
      everUnderLoad = true;
    }
    return everUnderLoad && now - underLoadUntil < 0;
  }

  /** Token bucket per source address: whether one more handshake from {@code source} may pass. */
  synchronized boolean allow(InetAddress source, long now) {
    if (buckets.size() > MAX_TRACKED_SOURCES) {
      buckets.values().removeIf(b -> now - b[1] > SECOND);
      if (buckets.size() > MAX_TRACKED_SOURCES) {
        buckets.clear();
      }
    }
    long[] b = buckets.computeIfAbsent(source, k -> new long[] {PER_SOURCE_BURST * SECOND, now});
    long elapsed = Math.max(0, now - b[1]);
    b[0] = Math.min(PER_SOURCE_BURST * SECOND, b[0] + elapsed * PER_SOURCE_RATE);
    b[1] = now;
    if (b[0] >= SECOND) {
      b[0] -= SECOND;
      return true;
    }
    return false;
  }
}
