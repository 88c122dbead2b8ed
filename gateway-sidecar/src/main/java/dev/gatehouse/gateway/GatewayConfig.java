package dev.gatehouse.gateway;

import io.smallrye.config.ConfigMapping;
import java.util.Optional;

/**
 * The gateway's variables as Quarkus reads them: {@code GATEHOUSE_API_URL} is {@code
 * gatehouse.api-url}, and so on. All optional here on purpose: {@link
 * dev.gatehouse.gateway.config.GatewaySettingsValidator} applies defaults and reports what is
 * missing or invalid by variable name, all at once.
 */
@ConfigMapping(prefix = "gatehouse")
public interface GatewayConfig {

  /** {@code GATEHOUSE_API_URL}: the control plane's ws:// or wss:// URL. */
  Optional<String> apiUrl();

  /** {@code GATEHOUSE_TOKEN}: the gateway token. Never logged. */
  Optional<String> token();

  /** {@code GATEHOUSE_GATEWAY_ID}: the pod UID. */
  Optional<String> gatewayId();

  /** {@code GATEHOUSE_SITE}: the site this gateway serves. */
  Optional<String> site();

  /** {@code GATEHOUSE_MODE}: {@code kernel} (default). */
  Optional<String> mode();

  /** {@code GATEHOUSE_LISTEN_PORT}: WireGuard's UDP port, default 51820. */
  Optional<String> listenPort();

  /** {@code GATEHOUSE_LOG_FORMAT}: {@code json} (default) or {@code text}. */
  Optional<String> logFormat();

  /** {@code GATEHOUSE_INTERFACE}: the TUN interface's name, default {@code gatehouse0}. */
  Optional<String> interfaceName();

  /** {@code GATEHOUSE_MTU}: the TUN interface's MTU, default 1280. */
  Optional<String> mtu();

  /** {@code GATEHOUSE_ENDPOINT}: {@code host:port} clients reach the WireGuard port at. */
  Optional<String> endpoint();

  /**
   * {@code GATEHOUSE_API_CA_FILE}: PEM bundle of the CA(s) to trust for a {@code wss://} API
   * instead of the JDK's trust store (a private CA, cert-manager's {@code ca.crt}).
   */
  Optional<String> apiCaFile();

  /**
   * {@code GATEHOUSE_ENDPOINTS_FILE}: further {@code host:port} lines clients may reach the
   * WireGuard port at (the operator mounts its Service's addresses here); re-read while running.
   */
  Optional<String> endpointsFile();

  /** {@code GATEHOUSE_NODE_IP}: the node's address ({@code status.hostIP}), for node ports. */
  Optional<String> nodeIp();

  /**
   * {@code GATEHOUSE_UDP_SOCKET}: {@code linux} (default, the FFM socket) or {@code netty}, the
   * fallback should a kernel refuse what the default uses.
   */
  Optional<String> udpSocket();

  /**
   * {@code gatehouse.tunnel-in-memory}: tests only. Runs the tunnel on in-memory twins (no TUN, no
   * UDP socket, no {@code ip}/{@code nft}), so a {@code @QuarkusTest} needs no privileges.
   */
  Optional<Boolean> tunnelInMemory();

  /**
   * {@code gatehouse.dial-api}: tests only, default true. False starts the tunnel without dialing
   * the API, so a test can drive {@code ControlChannelState} itself.
   */
  Optional<Boolean> dialApi();
}
