package dev.gatehouse.tunnel.tun;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The twin keeps {@link TunDevice#awaitReadable}'s contract: wait without taking. */
class InMemoryTunDeviceTest {

  @Test
  void awaitReadableTimesOutWhenNothingIsQueued() {
    InMemoryTunDevice tun = new InMemoryTunDevice("t", 1420);
    long start = System.nanoTime();
    assertThat(tun.awaitReadable(50)).isFalse();
    assertThat(System.nanoTime() - start).isGreaterThanOrEqualTo(50_000_000L);
  }

  @Test
  void awaitReadableLeavesThePacketForRead() {
    InMemoryTunDevice tun = new InMemoryTunDevice("t", 1420);
    tun.inject(new byte[] {1, 2, 3});
    assertThat(tun.awaitReadable(1000)).isTrue();
    assertThat(tun.awaitReadable(0)).isTrue();
    byte[] buf = new byte[10];
    assertThat(tun.read(buf, 2, 8, 0)).isEqualTo(3);
    assertThat(buf).startsWith(0, 0, 1, 2, 3);
    assertThat(tun.read(buf, 0, 10, 0)).isZero();
  }

  @Test
  void awaitReadableWakesForAPacketInjectedMeanwhileAndForClose() throws Exception {
    InMemoryTunDevice tun = new InMemoryTunDevice("t", 1420);
    Thread injector =
        Thread.ofPlatform()
            .start(
                () -> {
                  sleep(50);
                  tun.inject(new byte[] {9});
                });
    assertThat(tun.awaitReadable(5000)).isTrue();
    injector.join();
    assertThat(tun.read(new byte[4], 0, 4, 0)).isEqualTo(1);

    Thread closer =
        Thread.ofPlatform()
            .start(
                () -> {
                  sleep(50);
                  tun.close();
                });
    long start = System.nanoTime();
    assertThat(tun.awaitReadable(5000)).isTrue(); // closed: read says -1
    assertThat(System.nanoTime() - start).isLessThan(4_000_000_000L);
    closer.join();
    assertThat(tun.read(new byte[4], 0, 4, 0)).isEqualTo(-1);
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
