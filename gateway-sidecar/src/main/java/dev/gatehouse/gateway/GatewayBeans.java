package dev.gatehouse.gateway;

import static dev.gatehouse.gateway.config.GatewaySettingsValidator.API_URL;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.GATEWAY_ID;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LISTEN_PORT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LOG_FORMAT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.MODE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.SITE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.TOKEN;

import dev.gatehouse.gateway.config.GatewayConfigException;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.control.ControlChannelState;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Builds the core objects with {@code new}; the only place that turns config into them. */
@Singleton
public class GatewayBeans {

  /**
   * Validated settings; a problem here fails startup with a message naming each variable. As a
   * {@link ConfigurationException} without cause, Quarkus prints just the message, no stack trace.
   */
  @Produces
  @Singleton
  GatewaySettings settings(GatewayConfig config) {
    try {
      return GatewaySettings.fromEnvironment(asEnvironment(config));
    } catch (GatewayConfigException e) {
      throw new ConfigurationException(e.getMessage());
    }
  }

  /** Updated by the control-channel client, read by readiness and metrics. */
  @Produces
  @Singleton
  ControlChannelState controlChannelState() {
    return new ControlChannelState(InstantSource.system());
  }

  /** The mapping back in the variables' own names, which is what the validator speaks. */
  static Map<String, String> asEnvironment(GatewayConfig config) {
    Map<String, String> env = new HashMap<>();
    put(env, API_URL, config.apiUrl());
    put(env, TOKEN, config.token());
    put(env, GATEWAY_ID, config.gatewayId());
    put(env, SITE, config.site());
    put(env, MODE, config.mode());
    put(env, LISTEN_PORT, config.listenPort());
    put(env, LOG_FORMAT, config.logFormat());
    return env;
  }

  private static void put(Map<String, String> env, String name, Optional<String> value) {
    value.ifPresent(v -> env.put(name, v));
  }
}
