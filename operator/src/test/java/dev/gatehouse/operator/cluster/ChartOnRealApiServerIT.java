package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Helm chart on a real kube-apiserver (kube-api-test, RBAC on): every rendered object is
 * accepted by server-side apply, the pod templates pass the {@code restricted} Pod Security
 * Standard, and the operator running as the chart's ServiceAccount (impersonated, so RBAC decides
 * exactly as for the pod) does its whole job with those permissions and is refused anything more.
 */
class ChartOnRealApiServerIT {
  private static final String RELEASE_NS = "gatehouse-system";
  private static final String SCOPED_RELEASE_NS = "gatehouse-scoped";
  private static final String SERVICE_ACCOUNT = "gh-gatehouse-operator";
  private static final String LEASE = "gatehouse-operator-leader";
  private static final List<String> WATCHED = List.of("team-a", "team-b");

  private static SharedTestKit.ApiServer apiServer;
  private static KubernetesClient admin;
  private static List<HasMetadata> installed;

  @BeforeAll
  static void installTheChartTwice() throws IOException {
    apiServer = SharedTestKit.ApiServer.start();
    admin = apiServer.client();
    for (String ns : List.of(RELEASE_NS, SCOPED_RELEASE_NS, "team-a", "team-b", "team-c")) {
      apiServer.createNamespace(ns);
    }
    installed = ChartInstaller.install(admin, RenderedChart.render(RELEASE_NS));
    ChartInstaller.install(
        admin,
        RenderedChart.render(
            SCOPED_RELEASE_NS,
            Map.of("watchNamespaces[0]", WATCHED.get(0), "watchNamespaces[1]", WATCHED.get(1))));
  }

  @AfterAll
  static void stop() {
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void everyRenderedObjectIsStoredAsRendered() {
    RenderedChart chart = RenderedChart.render(RELEASE_NS);
    assertThat(installed).hasSameSizeAs(chart.objects());
    for (HasMetadata object : chart.objects()) {
      assertThat(admin.resource(object).get())
          .as("%s %s on the server", object.getKind(), object.getMetadata().getName())
          .isNotNull();
    }
    Deployment stored =
        admin.apps().deployments().inNamespace(RELEASE_NS).withName("gh-gatehouse-operator").get();
    assertThat(stored.getSpec().getReplicas()).isEqualTo(2);
    assertThat(
            stored
                .getSpec()
                .getTemplate()
                .getSpec()
                .getContainers()
                .getFirst()
                .getSecurityContext()
                .getReadOnlyRootFilesystem())
        .isTrue();
    assertThat(admin.resources(Gateway.class).inAnyNamespace().list().getItems())
        .as("the chart's CRDs serve Gateways")
        .isNotNull();
  }

  @Test
  void optionalPartsAreAcceptedToo() {
    apiServer.createNamespace("gatehouse-bundled");
    RenderedChart bundled =
        RenderedChart.render(
            "gatehouse-bundled",
            Map.of(
                "postgresql.bundled.enabled",
                true,
                "postgresql.bundled.password",
                "s3cret",
                "apiNode.flowKeySecret",
                HelmChartTest.FLOW_KEY,
                "networkPolicy.apiServer.cidrs[0]",
                "10.0.0.1/32",
                "replicaCount",
                3,
                "crds.install",
                false));
    for (HasMetadata object : bundled.objects()) {
      assertThat(admin.resource(object).dryRun().fieldManager("helm").serverSideApply())
          .as("dry-run of %s %s", object.getKind(), object.getMetadata().getName())
          .isNotNull();
    }
    assertThat(bundled.all(StatefulSet.class)).hasSize(1);
  }

  @Test
  void podsOfTheChartPassTheRestrictedPodSecurityStandard() {
    String ns = "gatehouse-restricted";
    admin
        .resource(
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                .endMetadata()
                .build())
        .serverSideApply();
    RenderedChart chart =
        RenderedChart.render(
            ns,
            Map.of(
                "postgresql.bundled.enabled",
                true,
                "postgresql.bundled.password",
                "pw",
                "apiNode.flowKeySecret",
                HelmChartTest.FLOW_KEY));
    Pod operator =
        pod(ns, chart.get(Deployment.class, "gh-gatehouse-operator").getSpec().getTemplate());
    Pod postgres =
        pod(ns, chart.get(StatefulSet.class, "gh-gatehouse-postgresql").getSpec().getTemplate());
    postgres.getSpec().getVolumes().removeIf(v -> v.getName().equals("data"));
    postgres
        .getSpec()
        .getContainers()
        .getFirst()
        .getVolumeMounts()
        .removeIf(m -> m.getName().equals("data"));
    for (Pod pod : List.of(operator, postgres)) {
      assertThat(admin.resource(pod).dryRun().create())
          .as("pod %s under enforce=restricted", pod.getMetadata().getName())
          .isNotNull();
    }

    Pod escalating =
        new PodBuilder(operator)
            .editSpec()
            .editFirstContainer()
            .editSecurityContext()
            .withAllowPrivilegeEscalation(true)
            .endSecurityContext()
            .endContainer()
            .endSpec()
            .build();
    assertThatThrownBy(() -> admin.resource(escalating).dryRun().create())
        .as("the check itself works: a pod that may escalate is refused")
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(403);
              assertThat(e.getMessage()).contains("violates PodSecurity \"restricted:latest\"");
            });
  }

  @Test
  void operatorAsTheChartsServiceAccountDoesItsJobInEveryNamespace() {
    try (KubernetesClient operatorClient =
        ChartInstaller.clientAs(admin, RELEASE_NS, SERVICE_ACCOUNT)) {
      Operator operator =
          SharedTestKit.startOperator(
              () ->
                  GatehouseOperator.create(
                      operatorClient,
                      OperatorConfig.forTests(true)
                          .withLeaderElection(
                              LEASE, RELEASE_NS, "chart-all", Duration.ofSeconds(10)),
                      ControlPlaneSync.DISCONNECTED,
                      Clock.systemUTC()));
      try {
        SharedTestKit.Scenarios scenarios = new SharedTestKit.Scenarios(admin);
        for (String ns :
            List.of(
                "all-objects",
                "all-status",
                "all-service",
                "all-invalid",
                "all-policy",
                "all-expose",
                "all-endpoints")) {
          apiServer.createNamespace(ns);
        }
        scenarios.gatewayCreatesItsObjects("all-objects");
        scenarios.statusFollowsDeploymentAndSpecChangesRollOut("all-status");
        scenarios.resourceResolvesServiceRef("all-service");
        policyTheSchemaAcceptsButTheOperatorRefusesGetsAnEvent("all-invalid");
        scenarios.policyFollowsItsResource("all-policy");
        scenarios.aLabelledServiceBecomesAResource("all-expose");
        scenarios.gatewayAdvertisesItsServiceAddresses("all-endpoints");
        Lease lease = admin.leases().inNamespace(RELEASE_NS).withName(LEASE).get();
        assertThat(lease.getSpec().getHolderIdentity()).isEqualTo("chart-all");
      } finally {
        operator.stop();
      }

      // Secrets: written, never read, not even its own gateway token or a Secret beside it.
      admin
          .resource(
              new SecretBuilder()
                  .withNewMetadata()
                  .withName("someone-elses")
                  .withNamespace("all-objects")
                  .endMetadata()
                  .addToStringData("password", "hunter2")
                  .build())
          .create();
      assertForbidden(
          () ->
              operatorClient.secrets().inNamespace("all-objects").withName("someone-elses").get());
      assertForbidden(
          () ->
              operatorClient
                  .secrets()
                  .inNamespace("all-objects")
                  .withName("edge-gateway-token")
                  .get());
      assertForbidden(() -> operatorClient.secrets().inAnyNamespace().list());
      assertForbidden(
          () ->
              operatorClient
                  .secrets()
                  .inNamespace("all-objects")
                  .withName("someone-elses")
                  .delete());
      assertForbidden(() -> operatorClient.pods().inAnyNamespace().list());
      assertForbidden(() -> operatorClient.configMaps().inNamespace("all-objects").list());
      assertForbidden(
          () ->
              operatorClient
                  .apps()
                  .deployments()
                  .inNamespace("all-objects")
                  .withName("edge-gateway")
                  .delete());
      assertForbidden(() -> operatorClient.leases().inNamespace("team-a").list());
      assertForbidden(
          () ->
              operatorClient
                  .resource(
                      new ClusterRoleBuilder()
                          .withNewMetadata()
                          .withName("escalate")
                          .endMetadata()
                          .build())
                  .create());
      assertForbidden(() -> operatorClient.apiextensions().v1().customResourceDefinitions().list());
    }
  }

  @Test
  void operatorLimitedToWatchedNamespacesWorksThereAndIsRefusedElsewhere() {
    try (KubernetesClient operatorClient =
        ChartInstaller.clientAs(admin, SCOPED_RELEASE_NS, SERVICE_ACCOUNT)) {
      OperatorConfig config =
          new OperatorConfig(
              Set.copyOf(WATCHED),
              OperatorConfig.DEFAULT_GATEWAY_IMAGE,
              "ws://gatehouse-api.gatehouse-scoped.svc:8080",
              LEASE,
              SCOPED_RELEASE_NS,
              "chart-scoped",
              Duration.ofSeconds(10),
              true,
              0);
      Operator operator =
          SharedTestKit.startOperator(
              () ->
                  GatehouseOperator.create(
                      operatorClient, config, ControlPlaneSync.DISCONNECTED, Clock.systemUTC()));
      try {
        SharedTestKit.Scenarios scenarios = new SharedTestKit.Scenarios(admin);
        scenarios.gatewayCreatesItsObjects("team-a");
        scenarios.policyFollowsItsResource("team-b");

        admin.resource(TestGateways.gateway("team-c", "unwatched", 1)).create();
        await()
            .during(Duration.ofSeconds(3))
            .atMost(Duration.ofSeconds(5))
            .until(
                () ->
                    admin
                            .apps()
                            .deployments()
                            .inNamespace("team-c")
                            .withName("unwatched-gateway")
                            .get()
                        == null);
      } finally {
        operator.stop();
      }

      assertThat(admin.secrets().inNamespace("team-a").withName("edge-gateway-token").get())
          .as("the token Secret it made in a watched namespace")
          .isNotNull();
      assertForbidden(
          () ->
              operatorClient.secrets().inNamespace("team-a").withName("edge-gateway-token").get());
      assertForbidden(() -> operatorClient.secrets().inNamespace("team-c").list());
      assertForbidden(() -> operatorClient.secrets().inNamespace(SCOPED_RELEASE_NS).list());
      assertForbidden(() -> operatorClient.secrets().inAnyNamespace().list());
      assertForbidden(() -> operatorClient.resources(Gateway.class).inNamespace("team-c").list());
      assertForbidden(() -> operatorClient.services().inAnyNamespace().list());
      assertForbidden(
          () ->
              operatorClient
                  .resource(
                      new DeploymentBuilder()
                          .withNewMetadata()
                          .withName("smuggled")
                          .withNamespace("team-c")
                          .endMetadata()
                          .withNewSpec()
                          .withNewSelector()
                          .addToMatchLabels("app", "x")
                          .endSelector()
                          .withNewTemplate()
                          .withNewMetadata()
                          .addToLabels("app", "x")
                          .endMetadata()
                          .withNewSpec()
                          .addNewContainer()
                          .withName("x")
                          .withImage("x")
                          .endContainer()
                          .endSpec()
                          .endTemplate()
                          .endSpec()
                          .build())
                  .create());
      assertForbidden(
          () ->
              operatorClient
                  .resource(
                      new ConfigMapBuilder()
                          .withNewMetadata()
                          .withName("x")
                          .withNamespace("team-c")
                          .endMetadata()
                          .build())
                  .create());
      assertForbidden(() -> operatorClient.configMaps().inNamespace("team-a").list());
      assertForbidden(
          () ->
              operatorClient
                  .configMaps()
                  .inNamespace("team-a")
                  .withName("edge-gateway-endpoints")
                  .get());
      assertForbidden(() -> operatorClient.leases().inNamespace(RELEASE_NS).withName(LEASE).get());
    }
  }

  /** Events are best effort in the operator (a refused one is only logged): look for it. */
  private static void policyTheSchemaAcceptsButTheOperatorRefusesGetsAnEvent(String ns) {
    Policy policy;
    try (InputStream in =
        Files.newInputStream(Path.of("..", "examples", "invalid", "policy-bad-time-zone.yaml"))) {
      policy = admin.getKubernetesSerialization().unmarshal(in, Policy.class);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    policy.getMetadata().setNamespace(ns);
    admin.resource(policy).create();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(admin.v1().events().inNamespace(ns).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getReason()).isEqualTo("Invalid");
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("bad-zone");
                          assertThat(e.getMessage()).contains("IANA time zone");
                        }));
  }

  private static Pod pod(String ns, PodTemplateSpec template) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("pss-check-" + template.getMetadata().getLabels().get("app.kubernetes.io/name"))
        .withNamespace(ns)
        .withLabels(template.getMetadata().getLabels())
        .endMetadata()
        .withSpec(template.getSpec())
        .build();
  }

  private static void assertForbidden(ThrowingCallable call) {
    assertThatThrownBy(call)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getCode()).as("HTTP status of %s", e.getMessage()).isEqualTo(403));
  }
}
