package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.gateway.GatewayTokens;
import dev.gatehouse.operator.sync.DatabaseControlPlaneSync;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Base64;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator process's two halves fit together: the site token the reconciler writes for a
 * Gateway (its hash, in PostgreSQL) is accepted by the API node the operator embeds, which greets
 * the gateway with {@code init}; a wrong token is refused before the WebSocket upgrade.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ApiNodeEmbeddingIT {
  static KubernetesClient client;

  @Test
  void aGatewayJoinsWithTheTokenTheOperatorMinted() throws Exception {
    DatabaseConfig db = DatabaseConfig.fromEnvironment();
    ControlPlaneSettings settings =
        ControlPlaneSettings.fromEnvironment(
                Map.of(
                    "GATEHOUSE_DATABASE_URL", db.url(),
                    "GATEHOUSE_DATABASE_USER", db.user(),
                    "GATEHOUSE_DATABASE_PASSWORD", db.password(),
                    "GATEHOUSE_ACCOUNT", "embedding-it",
                    "GATEHOUSE_FLOW_KEY_SECRET", Base64.getEncoder().encodeToString(new byte[32]),
                    "GATEHOUSE_API_BIND", "127.0.0.1"),
                "embedding-it-" + UUID.randomUUID())
            .orElseThrow();
    dev.gatehouse.controlplane.pg.Migrations.migrate(settings.database());
    ApiNode node = new ApiNode(settings.apiNode(), settings.database(), InstantSource.system());
    int port = node.start(0);
    Operator operator =
        GatehouseOperator.create(
            client,
            OperatorConfig.forTests(false),
            new DatabaseControlPlaneSync(settings.database(), settings.account()),
            Clock.systemUTC());
    operator.start();
    try {
      String ns = "embed-" + Long.toHexString(System.nanoTime());
      client.resource(TestGateways.gateway(ns, "edge", 1)).create();
      Secret secret =
          await()
              .atMost(Duration.ofSeconds(30))
              .until(
                  () -> client.secrets().inNamespace(ns).withName("edge-gateway-token").get(),
                  s -> s != null);
      String token = GatewayTokens.tokenOf(secret).orElseThrow();
      String query =
          "?external_id="
              + UUID.randomUUID()
              + "&public_key="
              + Base64.getUrlEncoder().encodeToString(new byte[32]).replace("=", "%3D")
              + "&version=1.4.0&endpoint=10.244.0.5:51820";
      URI uri = URI.create("ws://127.0.0.1:" + port + "/gateway/websocket" + query);

      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(
                              URI.create("http://127.0.0.1:" + port + "/gateway/websocket" + query))
                          .header("Authorization", "Bearer ghgw_not-the-token")
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .isEqualTo(401);

      CompletableFuture<String> first = new CompletableFuture<>();
      await()
          .atMost(Duration.ofSeconds(30))
          .ignoreExceptions()
          .until(
              () -> {
                WebSocket ws =
                    HttpClient.newHttpClient()
                        .newWebSocketBuilder()
                        .header("Authorization", "Bearer " + token)
                        .buildAsync(
                            uri,
                            new WebSocket.Listener() {
                              private final StringBuilder text = new StringBuilder();

                              @Override
                              public CompletionStage<?> onText(
                                  WebSocket socket, CharSequence data, boolean last) {
                                text.append(data);
                                if (last) {
                                  first.complete(text.toString());
                                }
                                socket.request(1);
                                return null;
                              }
                            })
                        .get(10, TimeUnit.SECONDS);
                return ws != null;
              });
      assertThat(first.get(10, TimeUnit.SECONDS)).contains("\"event\":\"init\"");
    } finally {
      operator.stop();
      node.stop();
    }
  }
}
