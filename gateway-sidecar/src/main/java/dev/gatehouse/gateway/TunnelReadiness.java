package dev.gatehouse.gateway;

import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import jakarta.inject.Singleton;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready only while the tunnel runs (TUN device, UDP socket, interface configured). Together with
 * {@link ControlChannelReadiness}: ready = control channel connected AND tunnel up.
 */
@Readiness
@Singleton
public class TunnelReadiness implements HealthCheck {

  public static final String NAME = "tunnel";

  private final GatewayRuntime runtime;

  public TunnelReadiness(GatewayRuntime runtime) {
    this.runtime = runtime;
  }

  @Override
  public HealthCheckResponse call() {
    HealthCheckResponseBuilder response =
        HealthCheckResponse.named(NAME)
            .status(runtime.tunnelUp())
            .withData("peers", runtime.peerCount())
            .withData("flows", runtime.activeFlows());
    if (!runtime.tunnelProblem().isEmpty()) {
      response.withData("reason", runtime.tunnelProblem());
    }
    return response.build();
  }
}
