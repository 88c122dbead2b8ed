package dev.gatehouse.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  @Test
  void startsFullRefillsAtTheRateAndCapsAtTheBurst() {
    TokenBucket b = new TokenBucket(100, 200, 0);
    assertThat(b.tryTake(200, 0)).isTrue();
    assertThat(b.tryTake(1, 0)).isFalse();
    assertThat(b.tryTake(50, SECOND / 2)).isTrue();
    assertThat(b.tryTake(1, SECOND / 2)).isFalse();
    assertThat(b.tryTake(200, 100 * SECOND)).isTrue(); // capped at the burst
    assertThat(b.tryTake(1, 100 * SECOND)).isFalse();
  }

  @Test
  void aRefusedTakeTakesNothingAndTimeGoingBackwardsAddsNothing() {
    TokenBucket b = new TokenBucket(10, 10, 5 * SECOND);
    assertThat(b.tryTake(11, 5 * SECOND)).isFalse();
    assertThat(b.tryTake(10, 4 * SECOND)).isTrue();
    assertThat(b.tryTake(1, 4 * SECOND)).isFalse();
  }
}
