package dev.gatehouse.gateway;

import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.control.ControlChannelState.Phase;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import jakarta.inject.Singleton;
import java.util.Locale;

/**
 * Control-channel gauges, read from {@link ControlChannelState} at scrape time. Tunnel metrics
 * (peers, handshakes, bytes, drops) come with the tunnel; nothing here reports a number that no
 * code measures.
 */
@Singleton
public class ControlChannelMetrics implements MeterBinder {

  /** Exposed as {@code gatehouse_gateway_control_channel_connected}. */
  public static final String CONNECTED = "gatehouse.gateway.control.channel.connected";

  /** Exposed as {@code gatehouse_gateway_control_channel_state{state="..."}}. */
  public static final String STATE = "gatehouse.gateway.control.channel.state";

  private final ControlChannelState state;

  public ControlChannelMetrics(ControlChannelState state) {
    this.state = state;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    Gauge.builder(CONNECTED, state, s -> s.current().isConnected() ? 1 : 0)
        .description("1 while the control channel to the API is connected, else 0")
        .strongReference(true)
        .register(registry);
    for (Phase phase : Phase.values()) {
      Gauge.builder(STATE, state, s -> s.current().phase() == phase ? 1 : 0)
          .description("1 for the control channel's current phase, 0 for the others")
          .tag("state", phase.name().toLowerCase(Locale.ROOT))
          .strongReference(true)
          .register(registry);
    }
  }
}
