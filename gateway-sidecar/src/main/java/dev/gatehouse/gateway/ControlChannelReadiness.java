package dev.gatehouse.gateway;

import dev.gatehouse.gateway.control.ControlChannelState;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the control channel is connected: a gateway without it receives no flows, so the
 * Service must not send clients to it. Reports the phase, the reason and since when.
 */
@Readiness
@Singleton
public class ControlChannelReadiness implements HealthCheck {

  public static final String NAME = "control-channel";

  private final ControlChannelState state;

  public ControlChannelReadiness(ControlChannelState state) {
    this.state = state;
  }

  @Override
  public HealthCheckResponse call() {
    ControlChannelState.Status status = state.current();
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(NAME)
            .status(status.isConnected())
            .withData("state", status.phase().name())
            .withData("since", status.since().toString());
    if (!status.reason().isEmpty()) {
      response.withData("reason", status.reason());
    }
    return response.build();
  }
}
