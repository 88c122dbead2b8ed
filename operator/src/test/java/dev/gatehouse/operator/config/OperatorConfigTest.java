package dev.gatehouse.operator.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class OperatorConfigTest {
  @Test
  void defaultsNeedNoEnvironment() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(Map.of("POD_NAMESPACE", "gh", "POD_NAME", "op-1"));
    assertThat(config.namespaces()).isEmpty();
    assertThat(config.leaseName()).isEqualTo(OperatorConfig.DEFAULT_LEASE_NAME);
    assertThat(config.leaseNamespace()).isEqualTo("gh");
    assertThat(config.leaseIdentity()).isEqualTo("op-1");
    assertThat(config.leaseDuration()).isEqualTo(Duration.ofSeconds(15));
    assertThat(config.controlPlaneUrl()).isEqualTo("ws://gatehouse-api.gh.svc:8443");
    assertThat(config.serverSideApply()).isTrue();
    assertThat(config.resync()).isEqualTo(Duration.ofMinutes(5));
  }

  @Test
  void theDefaultUrlIsWssWhenTheApiNodeServesTls() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "POD_NAMESPACE", "gh",
                "GATEHOUSE_API_PORT", "9443",
                "GATEHOUSE_API_TLS_CERT", "/etc/gatehouse/api-tls/tls.crt",
                "GATEHOUSE_API_TLS_KEY", "/etc/gatehouse/api-tls/tls.key"));
    assertThat(config.controlPlaneUrl()).isEqualTo("wss://gatehouse-api.gh.svc:9443");
  }

  @Test
  void gatewaysTrustACaConfigMapOnlyWhenNamed() {
    assertThat(OperatorConfig.fromEnvironment(Map.of()).gatewayApiCaConfigMap()).isNull();
    assertThat(
            OperatorConfig.fromEnvironment(
                    Map.of("GATEHOUSE_GATEWAY_API_CA_CONFIGMAP", " gatehouse-api-ca "))
                .gatewayApiCaConfigMap())
        .isEqualTo("gatehouse-api-ca");
  }

  @Test
  void anExplicitUrlWinsOverTheTlsDefault() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "GATEHOUSE_CONTROL_PLANE_URL", "wss://api.example:443",
                "GATEHOUSE_API_TLS_CERT", "/tls.crt",
                "GATEHOUSE_API_TLS_KEY", "/tls.key"));
    assertThat(config.controlPlaneUrl()).isEqualTo("wss://api.example:443");
  }

  @Test
  void readsEverySetting() {
    OperatorConfig config =
        OperatorConfig.fromEnvironment(
            Map.of(
                "GATEHOUSE_WATCH_NAMESPACES", "a, b",
                "GATEHOUSE_LEADER_ELECTION", "false",
                "GATEHOUSE_HTTP_PORT", "9090",
                "GATEHOUSE_RESYNC_SECONDS", "60",
                "GATEHOUSE_GATEWAY_IMAGE", "registry.example/gw:1"));
    assertThat(config.namespaces()).isEqualTo(Set.of("a", "b"));
    assertThat(config.leaseName()).isNull();
    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.gatewayImage()).isEqualTo("registry.example/gw:1");
    assertThat(config.resync()).isEqualTo(Duration.ofMinutes(1));
  }

  @Test
  void badValuesNameTheVariable() {
    assertThatThrownBy(() -> OperatorConfig.fromEnvironment(Map.of("GATEHOUSE_LEASE_SECONDS", "5")))
        .hasMessage(
            "GATEHOUSE_LEASE_SECONDS must be at least 7 (the leader renews every 2 s), got 5");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnvironment(Map.of("GATEHOUSE_HTTP_PORT", "eighty")))
        .hasMessage("GATEHOUSE_HTTP_PORT must be a non-negative whole number, got 'eighty'");
    assertThatThrownBy(
            () -> OperatorConfig.fromEnvironment(Map.of("GATEHOUSE_RESYNC_SECONDS", "0")))
        .hasMessageStartingWith("GATEHOUSE_RESYNC_SECONDS must be at least 1");
  }
}
