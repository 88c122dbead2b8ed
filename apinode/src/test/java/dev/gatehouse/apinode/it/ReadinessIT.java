package dev.gatehouse.apinode.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.ApiNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Readiness follows the database: PostgreSQL is stopped (e2e/scripts/postgres.sh stop) under a
 * running node, which turns unready with the reason named once the outage outlasts the presence TTL
 * (3 s here), and ready again after PostgreSQL is back and the replication stream resumed.
 */
class ReadinessIT {

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  private final Harness h;

  ReadinessIT() throws Exception {
    h = new Harness();
  }

  @AfterEach
  void close() throws Exception {
    postgres("start"); // idempotent: a failed assertion must not leave the database down
    h.close();
  }

  @Test
  void aNodeIsUnreadyWhileItsDatabaseIsDownAndReadyWhenItIsBack() throws Exception {
    ApiNode node = h.node("readiness");
    Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> node.renderMetrics().contains("\ngatehouse_cdc_stream_up 1\n"));
    assertThat(readyz(node).statusCode()).isEqualTo(200);
    assertThat(node.renderMetrics()).contains("\ngatehouse_apinode_ready 1\n");

    postgres("stop");
    HttpResponse<String> down =
        Awaitility.await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> readyz(node),
                r -> r.statusCode() == 503 && r.body().contains("replication stream down for"));
    assertThat(down.body()).contains("not_ready").contains("database unreachable for");
    assertThat(node.renderMetrics())
        .contains("\ngatehouse_cdc_stream_up 0\n")
        .contains("\ngatehouse_apinode_ready 0\n");
    // Liveness stays green: restarting the process would not bring the database back.
    assertThat(get(node, "/healthz").statusCode()).isEqualTo(200);

    postgres("start");
    Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> readyz(node).statusCode() == 200);
    assertThat(node.renderMetrics())
        .contains("\ngatehouse_cdc_stream_up 1\n")
        .doesNotContain("\ngatehouse_cdc_reconnects_total 0\n");
  }

  private static HttpResponse<String> readyz(ApiNode node) throws Exception {
    return get(node, "/readyz");
  }

  private static HttpResponse<String> get(ApiNode node, String path) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.port() + path))
            .timeout(Duration.ofSeconds(5))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void postgres(String command) throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("user.dir")).toAbsolutePath();
    while (root != null && !Files.exists(root.resolve("e2e/scripts/postgres.sh"))) {
      root = root.getParent();
    }
    assertThat(root).as("e2e/scripts/postgres.sh above the working directory").isNotNull();
    Process p =
        new ProcessBuilder("bash", root.resolve("e2e/scripts/postgres.sh").toString(), command)
            .inheritIO()
            .start();
    assertThat(p.waitFor(120, TimeUnit.SECONDS) && p.exitValue() == 0)
        .as("postgres.sh " + command)
        .isTrue();
  }
}
