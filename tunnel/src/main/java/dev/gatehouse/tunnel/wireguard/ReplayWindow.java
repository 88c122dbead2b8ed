package dev.gatehouse.tunnel.wireguard;

/**
 * Sliding-window replay protection of RFC 6479, as §5.4.6 prescribes: a ring of 64-bit blocks,
 * {@link Protocol#REPLAY_WINDOW_SIZE} counters deep. Not thread-safe: the receive path of a {@link
 * Keypair} guards it.
 */
final class ReplayWindow {
  private static final int BLOCKS = (Protocol.REPLAY_WINDOW_SIZE + 64) / 64; // 128
  private static final int MASK = BLOCKS - 1;
  static final int WINDOW = (BLOCKS - 1) * 64;

  private final long[] bitmap = new long[BLOCKS];
  private long last;

  /**
   * Returns true and records {@code counter} if it was never seen and is not too old; call only
   * after the packet authenticated. Counters are unsigned; at or above {@code limit} they are
   * rejected.
   */
  boolean accept(long counter, long limit) {
    if (Long.compareUnsigned(counter, limit) >= 0) {
      return false;
    }
    long indexBlock = counter >>> 6;
    if (Long.compareUnsigned(counter, last) > 0) {
      long current = last >>> 6;
      long diff = Math.min(indexBlock - current, BLOCKS);
      for (long i = 1; i <= diff; i++) {
        bitmap[(int) ((current + i) & MASK)] = 0;
      }
      last = counter;
    } else if (last - counter > WINDOW) {
      return false;
    }
    int block = (int) (indexBlock & MASK);
    long bit = 1L << (counter & 63);
    long old = bitmap[block];
    bitmap[block] = old | bit;
    return (old & bit) == 0;
  }

  /** Cheap pre-check before decrypting: false if {@code counter} is certainly unacceptable. */
  boolean mightAccept(long counter, long limit) {
    if (Long.compareUnsigned(counter, limit) >= 0) {
      return false;
    }
    if (Long.compareUnsigned(counter, last) > 0) {
      return true;
    }
    if (last - counter > WINDOW) {
      return false;
    }
    int block = (int) ((counter >>> 6) & MASK);
    return (bitmap[block] & (1L << (counter & 63))) == 0;
  }
}
