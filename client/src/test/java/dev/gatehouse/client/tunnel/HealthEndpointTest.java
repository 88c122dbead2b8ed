package dev.gatehouse.client.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class HealthEndpointTest {

  @Test
  void readyzFollowsTheClientsReadinessAndSaysWhyNot() throws Exception {
    AtomicReference<String> problem = new AtomicReference<>("control channel connecting");
    try (HealthEndpoint health = HealthEndpoint.start(0, problem::get);
        HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> before = get(http, health, "/readyz");
      assertThat(before.statusCode()).isEqualTo(503);
      assertThat(before.body()).contains("control channel connecting");

      problem.set(null);
      HttpResponse<String> after = get(http, health, "/readyz");
      assertThat(after.statusCode()).isEqualTo(200);
      assertThat(after.body()).isEqualTo("ready\n");
      assertThat(get(http, health, "/livez").statusCode()).isEqualTo(200);
    }
  }

  private static HttpResponse<String> get(HttpClient http, HealthEndpoint health, String path)
      throws Exception {
    return http.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + health.port() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }
}
