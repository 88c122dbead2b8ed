package dev.gatehouse.gateway.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.gateway.control.ControlChannelState.Phase;
import dev.gatehouse.gateway.control.ControlChannelState.Status;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ControlChannelStateTest {

  private final AtomicReference<Instant> now =
      new AtomicReference<>(Instant.parse("2026-11-28T12:00:00Z"));
  private final ControlChannelState state = new ControlChannelState(now::get);

  private void advance(Duration duration) {
    now.updateAndGet(t -> t.plus(duration));
  }

  @Test
  void startsNotConnected() {
    assertThat(state.current())
        .isEqualTo(
            new Status(
                Phase.DISCONNECTED,
                ControlChannelState.NOT_CONNECTED,
                Instant.parse("2026-11-28T12:00:00Z")));
    assertThat(state.current().isConnected()).isFalse();
  }

  @Test
  void followsTheClientsTransitions() {
    advance(Duration.ofSeconds(1));
    state.connecting("connecting to wss://api:8443");
    assertThat(state.current().phase()).isEqualTo(Phase.CONNECTING);
    assertThat(state.current().reason()).isEqualTo("connecting to wss://api:8443");

    advance(Duration.ofSeconds(1));
    state.connected();
    assertThat(state.current())
        .isEqualTo(new Status(Phase.CONNECTED, "", Instant.parse("2026-11-28T12:00:02Z")));
    assertThat(state.current().isConnected()).isTrue();

    advance(Duration.ofSeconds(1));
    state.disconnected("closed by server: 1011");
    assertThat(state.current())
        .isEqualTo(
            new Status(
                Phase.DISCONNECTED,
                "closed by server: 1011",
                Instant.parse("2026-11-28T12:00:03Z")));
  }

  @Test
  void keepsSinceWhenTheSameStatusIsReportedAgain() {
    state.connecting("connecting to wss://api:8443");
    Instant since = state.current().since();

    advance(Duration.ofSeconds(5));
    state.connecting("connecting to wss://api:8443");
    assertThat(state.current().since()).isEqualTo(since);

    state.connecting("retrying in 2s");
    assertThat(state.current().since()).isEqualTo(since.plusSeconds(5));
  }
}
