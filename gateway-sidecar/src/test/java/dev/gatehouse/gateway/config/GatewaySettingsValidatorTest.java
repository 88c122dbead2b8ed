package dev.gatehouse.gateway.config;

import static dev.gatehouse.gateway.config.GatewaySettingsValidator.API_CA_FILE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.API_URL;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.GATEWAY_ID;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LISTEN_PORT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.LOG_FORMAT;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.MODE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.SITE;
import static dev.gatehouse.gateway.config.GatewaySettingsValidator.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.gateway.config.GatewaySettingsValidator.Invalid;
import dev.gatehouse.tunnel.net.UdpSocketKind;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.util.Base64;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GatewaySettingsValidatorTest {

  private static final String SECRET = "gh-tok_3xYz-not-for-logs";
  private static final String POD_UID = "3f2a6c1e-8b0d-4c8e-9a51-2d7e0b6f4a10";

  /** What the operator sets on a gateway pod (GatewayDeployments.environment). */
  private static Map<String, String> podEnvironment() {
    Map<String, String> env = new HashMap<>();
    env.put(API_URL, "wss://gatehouse-api.gatehouse.svc:8443");
    env.put(TOKEN, SECRET);
    env.put(GATEWAY_ID, POD_UID);
    env.put(SITE, "edge");
    env.put(MODE, "kernel");
    env.put(LISTEN_PORT, "51821");
    return env;
  }

  private static Map<String, String> podEnvironmentWith(String name, String value) {
    Map<String, String> env = podEnvironment();
    env.put(name, value);
    return env;
  }

  private static Invalid invalid(Map<String, String> env) {
    GatewaySettingsValidator.Result result = GatewaySettingsValidator.validate(env);
    assertThat(result).isInstanceOf(Invalid.class);
    return (Invalid) result;
  }

  @Test
  void acceptsWhatTheOperatorSets() {
    GatewaySettings settings = GatewaySettings.fromEnvironment(podEnvironment());

    assertThat(settings.apiUrl()).isEqualTo(URI.create("wss://gatehouse-api.gatehouse.svc:8443"));
    assertThat(settings.token().reveal()).isEqualTo(SECRET);
    assertThat(settings.gatewayId()).isEqualTo(UUID.fromString(POD_UID));
    assertThat(settings.site()).isEqualTo("edge");
    assertThat(settings.mode()).isEqualTo(GatewayMode.KERNEL);
    assertThat(settings.listenPort()).isEqualTo(51821);
    assertThat(settings.logFormat()).isEqualTo(LogFormat.JSON);
  }

  @Test
  void aCaFileIsReadAtStartAndReportedByItsVariable(@TempDir Path dir) throws Exception {
    assertThat(GatewaySettings.fromEnvironment(podEnvironment()).apiCaFile())
        .as("unset: the JDK's trust store")
        .isNull();

    Path missing = dir.resolve("ca.crt");
    assertThat(invalid(podEnvironmentWith(API_CA_FILE, missing.toString())).problems())
        .containsExactly(
            API_CA_FILE
                + " must name a PEM file of the CA(s) that signed the API's certificate (mounted"
                + " into the pod): CA file "
                + missing
                + " does not exist");
    Path notPem = Files.writeString(dir.resolve("ca.txt"), "not a certificate");
    assertThat(invalid(podEnvironmentWith(API_CA_FILE, notPem.toString())).problems())
        .singleElement(org.assertj.core.api.InstanceOfAssertFactories.STRING)
        .startsWith(API_CA_FILE)
        .endsWith(
            "CA file "
                + notPem
                + " holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");

    // Any real CA certificate will do: the first of the JDK's own trust store, as PEM.
    KeyStore cacerts =
        KeyStore.getInstance(
            Path.of(System.getProperty("java.home"), "lib/security/cacerts").toFile(),
            "changeit".toCharArray());
    byte[] der = cacerts.getCertificate(cacerts.aliases().nextElement()).getEncoded();
    Path bundle =
        Files.writeString(
            dir.resolve("bundle.crt"),
            "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder().encodeToString(der)
                + "\n-----END CERTIFICATE-----\n");
    assertThat(
            GatewaySettings.fromEnvironment(podEnvironmentWith(API_CA_FILE, bundle.toString()))
                .apiCaFile())
        .isEqualTo(bundle);
  }

  @Test
  void optionalVariablesHaveDefaults() {
    Map<String, String> env = podEnvironment();
    env.remove(MODE);
    env.remove(LISTEN_PORT);
    env.put(LOG_FORMAT, " ");

    GatewaySettings settings = GatewaySettings.fromEnvironment(env);

    assertThat(settings.mode()).isEqualTo(GatewayMode.KERNEL);
    assertThat(settings.listenPort()).isEqualTo(51820);
    assertThat(settings.logFormat()).isEqualTo(LogFormat.JSON);
  }

  @Test
  void acceptsPlainWebSocketsAndTextLogsAndStripsBlanks() {
    Map<String, String> env = podEnvironment();
    env.put(API_URL, " ws://10.0.0.7:8080/api ");
    env.put(LISTEN_PORT, "443\n");
    env.put(LOG_FORMAT, "TEXT");

    GatewaySettings settings = GatewaySettings.fromEnvironment(env);

    assertThat(settings.apiUrl()).isEqualTo(URI.create("ws://10.0.0.7:8080/api"));
    assertThat(settings.listenPort()).isEqualTo(443);
    assertThat(settings.logFormat()).isEqualTo(LogFormat.TEXT);
  }

  @Test
  void reportsEveryMissingRequiredVariableAtOnce() {
    Invalid invalid = invalid(Map.of(SITE, "  "));

    assertThat(invalid.problems())
        .hasSize(4)
        .satisfiesExactly(
            p -> assertThat(p).startsWith(API_URL + " is required"),
            p -> assertThat(p).startsWith(TOKEN + " is required"),
            p -> assertThat(p).startsWith(GATEWAY_ID + " is required").contains("pod UID"),
            p -> assertThat(p).startsWith(SITE + " is required"));
    assertThat(invalid.message())
        .startsWith("Invalid gateway configuration")
        .contains(API_URL, TOKEN, GATEWAY_ID, SITE);
  }

  @Test
  void failingStartupThrowsOneErrorNamingTheVariables() {
    Map<String, String> env = podEnvironment();
    env.remove(API_URL);
    env.put(LISTEN_PORT, "0");

    assertThatThrownBy(() -> GatewaySettings.fromEnvironment(env))
        .isInstanceOf(GatewayConfigException.class)
        .hasMessageContaining(API_URL + " is required")
        .hasMessageContaining(LISTEN_PORT + " must be a UDP port from 1 to 65535")
        .satisfies(e -> assertThat(((GatewayConfigException) e).problems()).hasSize(2));
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          GATEHOUSE_API_URL     | https://api.example.com    | must be a ws:// or wss:// URL, got 'https://api.example.com'
          GATEHOUSE_API_URL     | gatehouse-api:8443         | must be a ws:// or wss:// URL
          GATEHOUSE_API_URL     | wss://bad host/            | is not a valid URL
          GATEHOUSE_API_URL     | wss:///path                | must name a host
          GATEHOUSE_GATEWAY_ID  | gateway-0                  | must be the pod UID, a UUID like
          GATEHOUSE_GATEWAY_ID  | 1-2-3-4-5                  | must be the pod UID
          GATEHOUSE_MODE        | userspace                  | =userspace is not available yet
          GATEHOUSE_MODE        | tap                        | must be kernel (the default), got 'tap'
          GATEHOUSE_LISTEN_PORT | 0                          | must be a UDP port from 1 to 65535 (default 51820), got '0'
          GATEHOUSE_LISTEN_PORT | 65536                      | must be a UDP port from 1 to 65535
          GATEHOUSE_LISTEN_PORT | -1                         | must be a UDP port from 1 to 65535
          GATEHOUSE_LISTEN_PORT | 51820/udp                  | must be a UDP port from 1 to 65535
          GATEHOUSE_LOG_FORMAT  | logfmt                     | must be json or text, got 'logfmt'
          """)
  void rejectsAnInvalidValueNamingItsVariable(String name, String value, String expected) {
    Invalid invalid = invalid(podEnvironmentWith(name, value));

    assertThat(invalid.problems()).singleElement().asString().startsWith(name).contains(expected);
  }

  @Test
  void neverShowsTheTokenInProblems() {
    Invalid invalid = invalid(podEnvironmentWith(TOKEN, SECRET + "\n"));

    assertThat(invalid.problems())
        .singleElement()
        .asString()
        .startsWith(TOKEN + " contains whitespace")
        .doesNotContain(SECRET);
  }

  @Test
  void neverEchoesCredentialsInTheApiUrl() {
    Invalid invalid = invalid(podEnvironmentWith(API_URL, "wss://gw:" + SECRET + "@api:8443"));

    assertThat(invalid.problems())
        .singleElement()
        .asString()
        .startsWith(API_URL + " must not carry credentials")
        .doesNotContain(SECRET);
  }

  @Test
  void settingsMaskTheTokenWhenPrinted() {
    GatewaySettings settings = GatewaySettings.fromEnvironment(podEnvironment());

    assertThat(settings.toString()).doesNotContain(SECRET).contains("token=****").contains("edge");
    assertThat(settings.token()).hasToString("****");
  }

  @Test
  void tunnelVariablesHaveDefaultsAndAreChecked() {
    GatewaySettings defaults = GatewaySettings.fromEnvironment(podEnvironment());
    assertThat(defaults.interfaceName()).isEqualTo("gatehouse0");
    assertThat(defaults.mtu()).isEqualTo(1280);
    assertThat(defaults.endpoint()).isNull();

    Map<String, String> env = podEnvironment();
    env.put(GatewaySettingsValidator.INTERFACE, "gh-tun.1");
    env.put(GatewaySettingsValidator.MTU, "1420");
    env.put(GatewaySettingsValidator.ENDPOINT, "[2001:db8::1]:51820");
    GatewaySettings set = GatewaySettings.fromEnvironment(env);
    assertThat(set.interfaceName()).isEqualTo("gh-tun.1");
    assertThat(set.mtu()).isEqualTo(1420);
    assertThat(set.endpoint()).isEqualTo("[2001:db8::1]:51820");

    env.put(GatewaySettingsValidator.INTERFACE, "a-name-far-too-long-for-linux");
    env.put(GatewaySettingsValidator.MTU, "100");
    env.put(GatewaySettingsValidator.ENDPOINT, "no-port");
    assertThat(invalid(env).problems())
        .satisfiesExactly(
            p -> assertThat(p).startsWith(GatewaySettingsValidator.INTERFACE),
            p -> assertThat(p).startsWith(GatewaySettingsValidator.MTU),
            p -> assertThat(p).startsWith(GatewaySettingsValidator.ENDPOINT));
  }

  @Test
  void advertisedEndpointsComeFromAFileThatMayNotExistYetAndTheNodeAddressIsChecked() {
    Map<String, String> env = podEnvironment();
    env.put(GatewaySettingsValidator.ENDPOINTS_FILE, "/etc/gatehouse/paths/endpoints");
    env.put(GatewaySettingsValidator.NODE_IP, "192.0.2.3");
    GatewaySettings set = GatewaySettings.fromEnvironment(env);
    assertThat(set.endpointsFile()).hasToString("/etc/gatehouse/paths/endpoints");
    assertThat(set.nodeIp()).isEqualTo("192.0.2.3");

    env.put(GatewaySettingsValidator.NODE_IP, "node-1.example");
    assertThat(invalid(env).problems())
        .containsExactly(
            "GATEHOUSE_NODE_IP must be an IP address (the pod's status.hostIP), got"
                + " 'node-1.example'");
  }

  @Test
  void theUdpSocketDefaultsToTheFfmOneAndNettyIsTheFallback() {
    Map<String, String> env = podEnvironment();
    assertThat(GatewaySettings.fromEnvironment(env).udpSocket()).isEqualTo(UdpSocketKind.LINUX);
    env.put(GatewaySettingsValidator.UDP_SOCKET, " Netty ");
    assertThat(GatewaySettings.fromEnvironment(env).udpSocket()).isEqualTo(UdpSocketKind.NETTY);

    env.put(GatewaySettingsValidator.UDP_SOCKET, "io_uring");
    assertThat(invalid(env).problems())
        .containsExactly(
            "GATEHOUSE_UDP_SOCKET must be linux or netty (default linux), got 'io_uring'");
  }
}
