package dev.gatehouse.gateway;

import static dev.gatehouse.gateway.config.GatewaySettingsValidator.API_URL;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.GATEWAY_ID;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LISTEN_PORT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LOG_FORMAT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.MODE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.SITE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.TOKEN;

import dev.gatehouse.client.control.Backoff;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.gateway.config.GatewayConfigException;
import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.config.GatewaySettingsValidator;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.AdvertisedEndpoints;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.HostNetwork;
import dev.gatehouse.gateway.tunnel.InMemoryHostNetwork;
import dev.gatehouse.gateway.tunnel.LinuxHostNetwork;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.tun.LinuxTunDevice;
import dev.gatehouse.tunnel.tun.TunDevice;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import io.quarkus.runtime.configuration.ConfigurationException;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.InstantSource;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

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

  /**
   * The gateway's tunnel and control channel, not yet started ({@link GatewayLifecycle} starts it).
   * Opens the TUN device and binds the UDP port here, so a missing privilege fails the start.
   */
  @Produces
  @Singleton
  GatewayRuntime runtime(
      GatewaySettings settings, GatewayConfig config, ControlChannelState controlChannel)
      throws IOException, InterruptedException {
    boolean inMemory = config.tunnelInMemory().orElse(false);
    TunDevice tun;
    DatagramTransport udp;
    HostNetwork host;
    if (inMemory) {
      tun = new InMemoryTunDevice(settings.interfaceName(), settings.mtu());
      udp =
          new InMemoryDatagramTransport.Network()
              .bind(new InetSocketAddress("127.0.0.1", settings.listenPort()));
      host = new InMemoryHostNetwork();
    } else {
      tun = LinuxTunDevice.open(settings.interfaceName(), settings.mtu());
      udp = settings.udpSocket().bind(new InetSocketAddress(settings.listenPort()));
      host = new LinuxHostNetwork();
    }
    Map<String, String> join = new HashMap<>();
    join.put("external_id", settings.gatewayId().toString());
    join.put("name", Optional.ofNullable(System.getenv("HOSTNAME")).orElse(settings.site()));
    join.put("site", settings.site());
    if (settings.endpoint() != null) {
      join.put("endpoint", settings.endpoint());
    }
    ControlChannel.Options channel =
        new ControlChannel.Options(
                settings.apiUrl(),
                settings.token().reveal(),
                join,
                Backoff.defaults(),
                Duration.ofSeconds(10),
                GIVE_UP_AFTER)
            .withCaFile(settings.apiCaFile());
    Logger log = Logger.getLogger(GatewayRuntime.class);
    GatewayRuntime runtime =
        new GatewayRuntime(
            new GatewayRuntime.Options(
                channel, settings.interfaceName(), settings.mtu(), config.dialApi().orElse(true)),
            StaticIdentity.generate(),
            tun,
            udp,
            host,
            controlChannel,
            InstantSource.system(),
            log::info);
    if (settings.endpointsFile() != null) {
      runtime.advertise(
          new AdvertisedEndpoints(settings.endpointsFile(), settings.nodeIp(), log::info));
    }
    return runtime;
  }

  /** Like Firezone's gateway: stop after this long without the API (a restart may help). */
  static final Duration GIVE_UP_AFTER = Duration.ofMinutes(15);

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
    put(env, GatewaySettingsValidator.INTERFACE, config.interfaceName());
    put(env, GatewaySettingsValidator.MTU, config.mtu());
    put(env, GatewaySettingsValidator.ENDPOINT, config.endpoint());
    put(env, GatewaySettingsValidator.API_CA_FILE, config.apiCaFile());
    put(env, GatewaySettingsValidator.ENDPOINTS_FILE, config.endpointsFile());
    put(env, GatewaySettingsValidator.NODE_IP, config.nodeIp());
    put(env, GatewaySettingsValidator.UDP_SOCKET, config.udpSocket());
    return env;
  }

  private static void put(Map<String, String> env, String name, Optional<String> value) {
    value.ifPresent(v -> env.put(name, v));
  }
}
