package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ReplayWindowTest {
  private static final long LIMIT = Protocol.REJECT_AFTER_MESSAGES;

  @Test
  void windowIsAtLeast2048() {
    assertThat(ReplayWindow.WINDOW).isGreaterThanOrEqualTo(2048);
  }

  @Test
  void acceptsEachCounterOnce() {
    ReplayWindow w = new ReplayWindow();
    assertThat(w.accept(0, LIMIT)).isTrue();
    assertThat(w.accept(0, LIMIT)).isFalse();
    assertThat(w.accept(1, LIMIT)).isTrue();
    assertThat(w.accept(3, LIMIT)).isTrue();
    assertThat(w.accept(2, LIMIT)).as("out of order within window").isTrue();
    assertThat(w.accept(2, LIMIT)).isFalse();
    assertThat(w.mightAccept(3, LIMIT)).isFalse();
    assertThat(w.mightAccept(4, LIMIT)).isTrue();
  }

  @Test
  void edgesOfTheWindow() {
    ReplayWindow w = new ReplayWindow();
    long top = 100_000;
    assertThat(w.accept(top, LIMIT)).isTrue();
    assertThat(w.accept(top - ReplayWindow.WINDOW, LIMIT)).as("oldest in window").isTrue();
    assertThat(w.accept(top - ReplayWindow.WINDOW - 1, LIMIT)).as("just behind").isFalse();
    assertThat(w.mightAccept(top - ReplayWindow.WINDOW - 1, LIMIT)).isFalse();
    assertThat(w.accept(top - 1, LIMIT)).isTrue();
  }

  @Test
  void bigJumpForgetsOldBitsButStillRejectsOldCounters() {
    ReplayWindow w = new ReplayWindow();
    for (long c = 0; c < 200; c++) {
      assertThat(w.accept(c, LIMIT)).isTrue();
    }
    long jump = 1_000_000;
    assertThat(w.accept(jump, LIMIT)).isTrue();
    assertThat(w.accept(150, LIMIT)).isFalse();
    assertThat(w.accept(jump - 64, LIMIT)).as("slot reused after the ring wrapped").isTrue();
    assertThat(w.accept(jump - 64, LIMIT)).isFalse();
  }

  @Test
  void everyCounterInAFullWindowSweepIsAcceptedExactlyOnce() {
    ReplayWindow w = new ReplayWindow();
    for (long c = 3 * ReplayWindow.WINDOW; c >= 2 * ReplayWindow.WINDOW; c--) {
      assertThat(w.accept(c, LIMIT)).isTrue(); // descending: each within the window of the first
    }
    for (long c = 2 * ReplayWindow.WINDOW; c <= 3 * ReplayWindow.WINDOW; c++) {
      assertThat(w.accept(c, LIMIT)).isFalse();
    }
  }

  @Test
  void countersAtOrAboveTheLimitAreRejected() {
    ReplayWindow w = new ReplayWindow();
    assertThat(w.accept(10, 10)).isFalse();
    assertThat(w.accept(9, 10)).isTrue();
    assertThat(w.accept(-1L, LIMIT)).as("2^64-1 is above REJECT_AFTER_MESSAGES").isFalse();
    assertThat(w.accept(LIMIT - 1, LIMIT)).isTrue();
  }
}
