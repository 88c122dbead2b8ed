package dev.gatehouse.gateway;

import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.control.ControlChannelState;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
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

  public GatewayLifecycle(GatewaySettings settings, ControlChannelState controlChannel) {
    this.settings = settings;
    this.controlChannel = controlChannel;
  }

  void onStart(@Observes StartupEvent event) {
    LOG.infof(
        "Gateway %s for site %s starting: mode %s, WireGuard UDP port %d, control plane %s",
        settings.gatewayId(),
        settings.site(),
        settings.mode().configValue(),
        settings.listenPort(),
        settings.apiUrl());
  }

  void onStop(@Observes ShutdownEvent event) {
    controlChannel.disconnected("shutting down");
    LOG.infof("Gateway %s stopping", settings.gatewayId());
  }
}
