package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ControlPlaneSettingsTest {
  private static final String KEY = Base64.getEncoder().encodeToString(new byte[32]);

  @Test
  void noDatabaseMeansNoControlPlane() {
    assertThat(ControlPlaneSettings.fromEnvironment(Map.of(), "op-0")).isEmpty();
  }

  @Test
  void aDatabaseBringsTheApiNode() {
    var settings =
        ControlPlaneSettings.fromEnvironment(
                Map.of(
                    "GATEHOUSE_DATABASE_URL", "jdbc:postgresql://db:5432/gh",
                    "GATEHOUSE_FLOW_KEY_SECRET", KEY,
                    "GATEHOUSE_ADMIN_TOKEN", "admin-secret"),
                "op-0")
            .orElseThrow();
    assertThat(settings.apiPort()).isEqualTo(8443);
    assertThat(settings.apiNode().nodeId()).isEqualTo("op-0");
    assertThat(settings.apiNode().adminToken()).isEqualTo("admin-secret");
    assertThat(settings.database().url()).isEqualTo("jdbc:postgresql://db:5432/gh");
  }

  @Test
  void relaysComeWithTheirSecretOrAreAClearError() {
    assertThat(ControlPlaneSettings.relays(Map.of()).isEmpty()).isTrue();
    assertThat(
            ControlPlaneSettings.relays(
                    Map.of(
                        "GATEHOUSE_RELAYS", "203.0.113.7:3478, [2001:db8::7]:3478",
                        "GATEHOUSE_RELAY_SECRET", "s"))
                .forGateway("k", java.time.Instant.EPOCH))
        .extracting(dev.gatehouse.protocol.Relay::addr)
        .containsExactly("203.0.113.7:3478", "[2001:db8::7]:3478");
    assertThatThrownBy(
            () -> ControlPlaneSettings.relays(Map.of("GATEHOUSE_RELAYS", "203.0.113.7:3478")))
        .hasMessageContaining("GATEHOUSE_RELAY_SECRET");
    assertThatThrownBy(
            () ->
                ControlPlaneSettings.relays(
                    Map.of("GATEHOUSE_RELAYS", "relay.example", "GATEHOUSE_RELAY_SECRET", "s")))
        .hasMessageContaining("'relay.example' is not host:port");
  }

  @Test
  void missingOrWeakFlowKeySecretIsAClearError() {
    assertThatThrownBy(
            () ->
                ControlPlaneSettings.fromEnvironment(
                    Map.of("GATEHOUSE_DATABASE_URL", "jdbc:x"), "op-0"))
        .hasMessageStartingWith("GATEHOUSE_FLOW_KEY_SECRET is required");
    assertThatThrownBy(
            () ->
                ControlPlaneSettings.fromEnvironment(
                    Map.of(
                        "GATEHOUSE_DATABASE_URL",
                        "jdbc:x",
                        "GATEHOUSE_FLOW_KEY_SECRET",
                        Base64.getEncoder().encodeToString(new byte[8])),
                    "op-0"))
        .hasMessage("GATEHOUSE_FLOW_KEY_SECRET must decode to at least 32 bytes, got 8");
    assertThatThrownBy(
            () ->
                ControlPlaneSettings.fromEnvironment(
                    Map.of(
                        "GATEHOUSE_DATABASE_URL", "jdbc:x",
                        "GATEHOUSE_FLOW_KEY_SECRET", KEY,
                        "GATEHOUSE_API_PORT", "70000"),
                    "op-0"))
        .hasMessage("GATEHOUSE_API_PORT must be between 1 and 65535, got 70000");
  }

  @Test
  void tlsNeedsCertificateAndKeyTogether() {
    var settings =
        ControlPlaneSettings.fromEnvironment(
                Map.of(
                    "GATEHOUSE_DATABASE_URL", "jdbc:postgresql://db:5432/gh",
                    "GATEHOUSE_FLOW_KEY_SECRET", KEY,
                    "GATEHOUSE_API_TLS_CERT", "/etc/gatehouse/api-tls/tls.crt",
                    "GATEHOUSE_API_TLS_KEY", "/etc/gatehouse/api-tls/tls.key"),
                "op-0")
            .orElseThrow();
    assertThat(settings.apiNode().tls()).isTrue();
    assertThat(settings.apiNode().tlsCertificate()).hasToString("/etc/gatehouse/api-tls/tls.crt");
    assertThat(settings.apiNode().tlsPrivateKey()).hasToString("/etc/gatehouse/api-tls/tls.key");

    assertThatThrownBy(
            () ->
                ControlPlaneSettings.fromEnvironment(
                    Map.of(
                        "GATEHOUSE_DATABASE_URL", "jdbc:x",
                        "GATEHOUSE_FLOW_KEY_SECRET", KEY,
                        "GATEHOUSE_API_TLS_CERT", "/tls.crt"),
                    "op-0"))
        .hasMessageStartingWith("GATEHOUSE_API_TLS_CERT and GATEHOUSE_API_TLS_KEY go together")
        .hasMessageEndingWith("only GATEHOUSE_API_TLS_CERT is set");
    assertThatThrownBy(
            () ->
                ControlPlaneSettings.fromEnvironment(
                    Map.of(
                        "GATEHOUSE_DATABASE_URL", "jdbc:x",
                        "GATEHOUSE_FLOW_KEY_SECRET", KEY,
                        "GATEHOUSE_API_TLS_KEY", "/tls.key"),
                    "op-0"))
        .hasMessageEndingWith("only GATEHOUSE_API_TLS_KEY is set");
  }

  @Test
  void withoutTlsTheApiNodeServesPlainText() {
    var settings =
        ControlPlaneSettings.fromEnvironment(
                Map.of("GATEHOUSE_DATABASE_URL", "jdbc:x", "GATEHOUSE_FLOW_KEY_SECRET", KEY),
                "op-0")
            .orElseThrow();
    assertThat(settings.apiNode().tls()).isFalse();
  }
}
