package dev.gatehouse.gateway;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.gatehouse.gateway.config.GatewaySettings;
import dev.gatehouse.gateway.control.ControlChannelState;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;

/** The shell as a kubelet and Prometheus meet it, started with the %test values. */
@QuarkusTest
class GatewayHttpTest {

  private static final String CONTROL_CHANNEL = "checks.find { it.name == 'control-channel' }";

  @Inject GatewaySettings settings;
  @Inject ControlChannelState controlChannel;

  @Test
  void livenessIsUp() {
    given().when().get("/q/health/live").then().statusCode(200).body("status", equalTo("UP"));
  }

  @Test
  void readinessIsDownUntilTheControlChannelConnects() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .statusCode(503)
        .body("status", equalTo("DOWN"))
        .body(CONTROL_CHANNEL + ".status", equalTo("DOWN"))
        .body(CONTROL_CHANNEL + ".data.state", equalTo("DISCONNECTED"))
        .body(CONTROL_CHANNEL + ".data.reason", equalTo(ControlChannelState.NOT_CONNECTED));
  }

  @Test
  void readinessAndGaugeFollowTheControlChannel() {
    controlChannel.connected();
    try {
      given()
          .when()
          .get("/q/health/ready")
          .then()
          .statusCode(200)
          .body("status", equalTo("UP"))
          .body(CONTROL_CHANNEL + ".data.state", equalTo("CONNECTED"));
      given()
          .when()
          .get("/q/metrics")
          .then()
          .body(containsString("gatehouse_gateway_control_channel_connected 1.0"));
    } finally {
      controlChannel.disconnected(ControlChannelState.NOT_CONNECTED);
    }
  }

  @Test
  void metricsExposeTheControlChannelGauges() {
    given()
        .when()
        .get("/q/metrics")
        .then()
        .statusCode(200)
        .body(containsString("gatehouse_gateway_control_channel_connected 0.0"))
        .body(containsString("gatehouse_gateway_control_channel_state{state=\"disconnected\"} 1.0"))
        .body(containsString("gatehouse_gateway_control_channel_state{state=\"connected\"} 0.0"));
  }

  @Test
  void tunnelIsPartOfReadinessAndReportsItsCounters() {
    given()
        .when()
        .get("/q/health/ready")
        .then()
        .body("checks.find { it.name == 'tunnel' }.status", equalTo("UP"));
    given()
        .when()
        .get("/q/metrics")
        .then()
        .body(containsString("gatehouse_gateway_peers 0.0"))
        .body(containsString("gatehouse_gateway_flows_active 0.0"))
        .body(containsString("gatehouse_gateway_handshakes_total 0.0"))
        .body(containsString("gatehouse_gateway_udp_packets_total{direction=\"rx\"} 0.0"))
        .body(containsString("gatehouse_gateway_drops_total{reason=\"malformed\"} 0.0"));
  }

  @Test
  void settingsComeFromTheTestProfileAndTextLogsAreSelected() {
    assertThat(settings.site()).isEqualTo("test-site");
    assertThat(settings.listenPort()).isEqualTo(51820);
    assertThat(
            ConfigProvider.getConfig()
                .getValue(LogFormatConfigInterceptor.JSON_ENABLED, Boolean.class))
        .isFalse();
  }
}
