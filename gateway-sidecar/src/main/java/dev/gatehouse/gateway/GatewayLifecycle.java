package dev.gatehouse.gateway;

import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import org.jboss.logging.Logger;

/**
 * Start and stop of the gateway process. Taking {@link GatewaySettings} at startup is what makes
 * invalid variables fail the start, before the HTTP port reports anything.
 */
@Singleton
public class GatewayLifecycle {

  private static final Logger LOG = Logger.getLogger(GatewayLifecycle.class);

  private final GatewaySettings settings;
  private final ControlChannelState controlChannel;
  private final GatewayRuntime runtime;

  public GatewayLifecycle(
      GatewaySettings settings, ControlChannelState controlChannel, GatewayRuntime runtime) {
    this.settings = settings;
    this.controlChannel = controlChannel;
    this.runtime = runtime;
  }

  /** Process exit code when the control channel ends for good (see README). */
  static int exitCode(ControlChannel.End end) {
    return switch (end) {
      case AUTH_REFUSED -> 3;
      case UNTRUSTED -> 7;
      case REJECTED -> 2;
      case UNREACHABLE -> 4;
      case DISCONNECTED -> 5;
      case CLOSED -> 0;
    };
  }

  void onStart(@Observes StartupEvent event) {
    LOG.infof(
        "Gateway %s for site %s starting: mode %s, WireGuard UDP port %d, control plane %s",
        settings.gatewayId(),
        settings.site(),
        settings.mode().configValue(),
        settings.listenPort(),
        settings.apiUrl());
    try {
      runtime.start();
    } catch (IOException e) {
      LOG.errorf("Gateway cannot start its tunnel: %s", e.getMessage());
      Quarkus.asyncExit(6);
      return;
    }
    LOG.infof(
        "Tunnel up on %s, public key %s",
        settings.interfaceName(), StaticIdentity.encodeKey(runtime.identity().publicKey()));
    runtime
        .ended()
        .thenAccept(
            end -> {
              if (end != ControlChannel.End.CLOSED) {
                LOG.errorf("Control channel ended (%s), exiting with %d", end, exitCode(end));
                Quarkus.asyncExit(exitCode(end));
              }
            });
  }

  void onStop(@Observes ShutdownEvent event) {
    runtime.close();
    controlChannel.disconnected("shutting down");
    LOG.infof("Gateway %s stopping", settings.gatewayId());
  }
}
