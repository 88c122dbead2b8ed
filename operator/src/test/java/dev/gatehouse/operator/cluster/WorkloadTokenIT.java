package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.store.AdminStore;
import dev.gatehouse.apinode.store.ConnectionPool;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.Migrations;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.TestFixtures;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.inject.AdminWorkloadTokenStore;
import dev.gatehouse.operator.inject.InjectionSettings;
import dev.gatehouse.operator.inject.SidecarInjector;
import dev.gatehouse.operator.inject.WorkloadTokenStore;
import dev.gatehouse.operator.inject.WorkloadTokenSweeper;
import dev.gatehouse.operator.inject.WorkloadTokens;
import dev.gatehouse.operator.metrics.OperatorMetrics;
import dev.gatehouse.operator.sync.DatabaseControlPlaneSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Workload tokens against a real kube-apiserver and a real control-plane database: the operator
 * mints each injected pod a token of its own (stored hashed, for the identity's service account),
 * writes it into the Secret the webhook named, and revokes it when the pod finishes or is deleted;
 * the sweeper revokes the tokens of pods that went unseen. Pods are only stored (no kubelet, no
 * garbage collector here); the injector's patch is applied as the API server would.
 */
class WorkloadTokenIT {
  // Names of their own per run: the database outlives the run.
  private static final String RUN = Long.toHexString(System.nanoTime());
  private static final String NS = "ci-tokens-" + RUN;
  private static final String ACCOUNT = "workload-it-" + RUN;
  private static final byte[] KEY =
      "workload-token-it-key-0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  private static SharedTestKit.ApiServer apiServer;
  private static KubernetesClient client;
  private static Operator operator;
  private static DatabaseConfig db;
  private static ConnectionPool pool;
  private static WorkloadTokenStore store;
  private static final WorkloadTokens TOKENS = new WorkloadTokens(KEY);
  private static final SidecarInjector INJECTOR =
      SidecarInjector.withWorkloadTokens(
          new InjectionSettings("client:it", "wss://api", null, Set.of("kube-system")),
          () -> WorkloadTokens.newSecretName(new SecureRandom()));

  @BeforeAll
  static void start() throws java.io.IOException {
    db = DatabaseConfig.fromEnvironment();
    Migrations.migrate(db);
    UUID account = new DatabaseControlPlaneSync(db, ACCOUNT).account();
    pool = new ConnectionPool(db, 2);
    store = new AdminWorkloadTokenStore(new AdminStore(pool), account);
    apiServer = SharedTestKit.ApiServer.start();
    client = apiServer.client();
    apiServer.installCrds();
    apiServer.createNamespace(NS);
    operator =
        SharedTestKit.startOperator(
            () ->
                GatehouseOperator.create(
                    client,
                    OperatorConfig.forTests(true),
                    new DatabaseControlPlaneSync(db, ACCOUNT),
                    Clock.systemUTC(),
                    new OperatorMetrics(),
                    TOKENS,
                    store));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (apiServer != null) {
      apiServer.close();
    }
    if (pool != null) {
      pool.close();
    }
  }

  @Test
  void anInjectedPodGetsATokenOfItsOwnThatGoesWhenThePodFinishes() throws Exception {
    Pod first = createInjected("runner-a");
    Pod second = createInjected("runner-b");

    Secret secret = secretOf(first);
    String token =
        new String(
            Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    assertThat(token).startsWith("ghc_").isNotEqualTo(tokenIn(secretOf(second)));
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(first.getMetadata().getUid()));
    UUID id = WorkloadTokens.tokenId(first.getMetadata().getUid());
    assertThat(
            rows(
                "SELECT a.name || ' ' || a.type || ' ' || t.workload || ' ' ||"
                    + " (t.secret_hash = ?) FROM tokens t JOIN actors a ON a.id = t.actor_id"
                    + " WHERE t.id = ? AND t.deleted_at IS NULL",
                OperatorSyncRepository.hashTokenSecret(token),
                id))
        .containsExactly("k8s:" + NS + "/runner service_account " + NS + "/runner-a true");
    assertThat(rows("SELECT count(DISTINCT actor_id) FROM tokens WHERE workload LIKE ?", NS + "/%"))
        .as("both pods are the same identity")
        .containsExactly("1");

    client
        .pods()
        .inNamespace(NS)
        .resource(
            new PodBuilder(client.pods().inNamespace(NS).withName("runner-a").get())
                .withStatus(new PodStatusBuilder().withPhase("Succeeded").build())
                .build())
        .updateStatus();
    awaitRevoked(id);
    assertThat(live(WorkloadTokens.tokenId(second.getMetadata().getUid())))
        .as("the other pod's token is its own")
        .isTrue();

    client.pods().inNamespace(NS).withName("runner-b").withGracePeriod(0).delete();
    awaitRevoked(WorkloadTokens.tokenId(second.getMetadata().getUid()));
  }

  @Test
  void theSweeperRevokesTheTokensOfPodsThatWentUnseenAndKeepsTheOthers() throws Exception {
    Pod running = createInjected("runner-kept");
    secretOf(running);
    UUID gone = WorkloadTokens.tokenId("a-pod-deleted-while-no-operator-ran-" + UUID.randomUUID());
    store.issue("k8s:" + NS + "/runner", gone, TOKENS.token("x"), NS + "/runner-gone");
    rows("UPDATE tokens SET inserted_at = now() - interval '5 minutes' WHERE id = ?", gone);

    int revoked = new WorkloadTokenSweeper(client, store, Set.of(NS), Clock.systemUTC()).sweep();

    assertThat(revoked).isGreaterThanOrEqualTo(1);
    assertThat(live(gone)).isFalse();
    assertThat(live(WorkloadTokens.tokenId(running.getMetadata().getUid()))).isTrue();
  }

  private static Pod createInjected(String name) {
    Pod pod =
        new PodBuilder()
            .withNewMetadata()
            .withName(name)
            .withNamespace(NS)
            .addToLabels(SidecarInjector.INJECT, "true")
            .addToAnnotations(SidecarInjector.IDENTITY, "runner")
            .endMetadata()
            .withNewSpec()
            .withRestartPolicy("Never")
            .addNewContainer()
            .withName("app")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();
    return client.resource(TestFixtures.injected(pod, INJECTOR.decide(pod, NS))).create();
  }

  private static Secret secretOf(Pod pod) {
    String name = WorkloadTokens.claim(pod).orElseThrow().secretName();
    return await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> client.secrets().inNamespace(NS).withName(name).get(), s -> s != null);
  }

  private static String tokenIn(Secret secret) {
    return new String(
        Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
  }

  private static void awaitRevoked(UUID id) {
    await().atMost(Duration.ofSeconds(30)).until(() -> !live(id));
  }

  private static boolean live(UUID id) throws SQLException {
    return rows("SELECT count(*) FROM tokens WHERE id = ? AND deleted_at IS NULL", id)
        .equals(List.of("1"));
  }

  private static List<String> rows(String sql, Object... params) throws SQLException {
    return TestFixtures.rows(db, sql, params);
  }
}
