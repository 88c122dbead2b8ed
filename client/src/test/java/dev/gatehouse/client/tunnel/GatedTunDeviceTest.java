package dev.gatehouse.client.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import java.util.List;
import org.junit.jupiter.api.Test;

class GatedTunDeviceTest {

  @Test
  void releasedPacketsAreReadableAtOnceAndSkipTheGate() throws Exception {
    InMemoryTunDevice inner = new InMemoryTunDevice("t", 1420);
    GatedTunDevice gated = new GatedTunDevice(inner, (buf, off, len) -> false);
    assertThat(gated.awaitReadable(20)).isFalse();
    assertThat(gated.readsPromptly()).as("the gate takes the agent's lock").isFalse();

    gated.release(List.of(new byte[] {7, 8}));
    long start = System.nanoTime();
    assertThat(gated.awaitReadable(5000)).isTrue();
    assertThat(System.nanoTime() - start).isLessThan(1_000_000_000L);
    byte[] buf = new byte[4];
    assertThat(gated.read(buf, 0, 4, 0)).isEqualTo(2);
    assertThat(buf).startsWith(7, 8);
  }

  @Test
  void packetsTheGateRefusesAreNotHandedOn() throws Exception {
    InMemoryTunDevice inner = new InMemoryTunDevice("t", 1420);
    GatedTunDevice gated = new GatedTunDevice(inner, (buf, off, len) -> buf[off] != 0);
    inner.inject(new byte[] {0, 1});
    inner.inject(new byte[] {5, 1});
    assertThat(gated.awaitReadable(1000)).isTrue();
    byte[] buf = new byte[4];
    assertThat(gated.read(buf, 0, 4, 0)).isZero(); // held or dropped by the gate
    assertThat(gated.read(buf, 0, 4, 0)).isEqualTo(2);
    assertThat(buf[0]).isEqualTo((byte) 5);
  }
}
