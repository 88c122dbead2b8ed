package dev.gatehouse.gateway.config;

import dev.gatehouse.tunnel.net.UdpSocketKind;
import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;

/**
 * What a gateway process runs with, validated. The operator sets these variables on the gateway
 * pod; {@link GatewaySettingsValidator} explains what each one accepts. {@link #toString()} masks
 * the token.
 *
 * @param apiUrl the control plane's WebSocket URL ({@code ws://} or {@code wss://})
 * @param token the gateway's token, from the Gateway's Secret
 * @param gatewayId this gateway's identity: its pod UID
 * @param site the site this gateway serves
 * @param mode how decrypted packets are forwarded
 * @param listenPort the UDP port WireGuard listens on
 * @param logFormat console log format
 * @param interfaceName the TUN interface's name
 * @param mtu the TUN interface's MTU
 * @param endpoint the {@code host:port} clients reach this gateway's UDP port at, sent to the API
 *     when joining; null lets the API node decide (e.g. from the Service)
 * @param apiCaFile PEM bundle of the CA(s) to trust for a {@code wss://} API instead of the JDK's
 *     trust store; null uses the JDK's
 * @param endpointsFile a file of further {@code host:port} lines clients may reach this gateway at
 *     (the operator's Service addresses), re-read while running; null for none
 * @param nodeIp the address of the node the pod runs on, for the file's {@code node:<port>} lines;
 *     null when unknown
 * @param udpSocket which UDP socket the tunnel runs on: the FFM one (default) or Netty's
 */
public record GatewaySettings(
    URI apiUrl,
    GatewayToken token,
    UUID gatewayId,
    String site,
    GatewayMode mode,
    int listenPort,
    LogFormat logFormat,
    String interfaceName,
    int mtu,
    String endpoint,
    Path apiCaFile,
    Path endpointsFile,
    String nodeIp,
    UdpSocketKind udpSocket) {

  /** Validates {@code env} (variable name → value) or throws one error listing every problem. */
  public static GatewaySettings fromEnvironment(Map<String, String> env) {
    return GatewaySettingsValidator.validate(env).orThrow();
  }
}
