package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Deleting a Gateway removes everything the operator made for it, by ownerReference garbage
 * collection in kube-controller-manager (which kube-api-test does not run, so this uses {@code
 * e2e/kube/apiserver.sh} with a state dir and ports of its own). The chart is installed and the
 * operator runs as the chart's ServiceAccount, as it would in a cluster.
 */
class GarbageCollectionIT {
  private static final String RELEASE_NS = "gatehouse-system";
  private static final String NS = "gc-demo";
  private static final Duration TIMEOUT = Duration.ofSeconds(60);

  private static LocalControlPlane controlPlane;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() throws Exception {
    controlPlane = LocalControlPlane.start();
    admin = controlPlane.client();
    for (String ns : List.of(RELEASE_NS, NS)) {
      admin
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .serverSideApply();
    }
    ChartInstaller.install(admin, RenderedChart.render(RELEASE_NS));
  }

  @AfterAll
  static void stop() throws Exception {
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void deletingAGatewayGarbageCollectsEverythingItOwns() {
    try (KubernetesClient operatorClient =
        ChartInstaller.clientAs(admin, RELEASE_NS, "gh-gatehouse-operator")) {
      Operator operator =
          SharedTestKit.startOperator(
              () ->
                  GatehouseOperator.create(
                      operatorClient,
                      OperatorConfig.forTests(true)
                          .withLeaderElection(
                              OperatorConfig.DEFAULT_LEASE_NAME,
                              RELEASE_NS,
                              "gc-it",
                              Duration.ofSeconds(10)),
                      ControlPlaneSync.DISCONNECTED,
                      Clock.systemUTC()));
      try {
        Gateway gateway = admin.resource(TestGateways.gateway(NS, "edge", 2)).create();

        Map<Class<? extends HasMetadata>, String> owned =
            Map.of(
                Deployment.class, "edge-gateway",
                Service.class, "edge-gateway",
                ServiceAccount.class, "edge-gateway",
                PodDisruptionBudget.class, "edge-gateway",
                Secret.class, "edge-gateway-token");
        owned.forEach((type, name) -> awaitPresent(type, name));
        ReplicaSet replicaSet =
            await()
                .atMost(TIMEOUT)
                .until(
                    () ->
                        admin.apps().replicaSets().inNamespace(NS).list().getItems().stream()
                            .filter(
                                rs ->
                                    rs.getMetadata().getOwnerReferences().stream()
                                        .anyMatch(o -> "edge-gateway".equals(o.getName())))
                            .findFirst()
                            .orElse(null),
                    rs -> rs != null);
        assertThat(replicaSet.getSpec().getReplicas())
            .as("kube-controller-manager runs: the Deployment got a ReplicaSet")
            .isEqualTo(2);

        admin.resource(gateway).delete();

        await()
            .atMost(TIMEOUT)
            .untilAsserted(
                () -> {
                  assertThat(admin.resources(Gateway.class).inNamespace(NS).withName("edge").get())
                      .as("the Gateway, once the operator released its finalizer")
                      .isNull();
                  owned.forEach(
                      (type, name) ->
                          assertThat(admin.resources(type).inNamespace(NS).withName(name).get())
                              .as(
                                  "%s %s, collected through its ownerReference",
                                  type.getSimpleName(), name)
                              .isNull());
                  assertThat(
                          admin
                              .apps()
                              .replicaSets()
                              .inNamespace(NS)
                              .withName(replicaSet.getMetadata().getName())
                              .get())
                      .as("the ReplicaSet, collected with its Deployment")
                      .isNull();
                });
      } finally {
        operator.stop();
      }
    }
  }

  private void awaitPresent(Class<? extends HasMetadata> type, String name) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(admin.resources(type).inNamespace(NS).withName(name).get())
                    .as("%s %s/%s", type.getSimpleName(), NS, name)
                    .isNotNull());
  }
}
