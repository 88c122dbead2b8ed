package dev.gatehouse.client.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BackoffTest {

  final Backoff backoff = new Backoff(Duration.ofMillis(250), Duration.ofSeconds(30));

  @Test
  void doublesWithEqualJitterUpToTheCap() {
    assertThat(backoff.delay(0, 0.0)).isEqualTo(Duration.ofMillis(125));
    assertThat(backoff.delay(0, 0.999)).isBetween(Duration.ofMillis(249), Duration.ofMillis(250));
    assertThat(backoff.delay(3, 0.0)).isEqualTo(Duration.ofMillis(1000));
    assertThat(backoff.delay(3, 0.5)).isEqualTo(Duration.ofMillis(1500));
    assertThat(backoff.delay(20, 0.0)).isEqualTo(Duration.ofSeconds(15));
    assertThat(backoff.delay(1000, 1.0)).isEqualTo(Duration.ofSeconds(30));
  }

  @Test
  void rejectsNonsense() {
    assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void joinParametersAreEncodedIntoTheQuery() {
    ControlChannel.Options o =
        new ControlChannel.Options(
            URI.create("wss://api.example:8443/client?v=1"),
            "t",
            Map.of("public_key", "ab+c/d=", "endpoint", "[::1]:51820"),
            null,
            null,
            null);
    assertThat(o.joinUri())
        .hasToString(
            "wss://api.example:8443/client?v=1&endpoint=%5B%3A%3A1%5D%3A51820&public_key=ab%2Bc%2Fd%3D");
  }

  @Test
  void aUrlWithoutPathGetsTheDefaultJoinPath() {
    assertThat(
            ControlChannel.withDefaultPath(
                URI.create("wss://api:8443"), ControlChannel.CLIENT_PATH))
        .hasToString("wss://api:8443/client/websocket");
    assertThat(
            ControlChannel.withDefaultPath(
                URI.create("wss://api:8443/?x=1"), ControlChannel.GATEWAY_PATH))
        .hasToString("wss://api:8443/gateway/websocket?x=1");
    assertThat(
            ControlChannel.withDefaultPath(
                URI.create("ws://api/custom/ws"), ControlChannel.GATEWAY_PATH))
        .hasToString("ws://api/custom/ws");
  }
}
