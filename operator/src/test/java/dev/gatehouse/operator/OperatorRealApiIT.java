package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewayServiceSpec;
import dev.gatehouse.operator.model.PodOverrides;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The operator and the CRDs against a real kube-apiserver (1.34, built from source by {@code
 * e2e/kube/build-binaries.sh}), with server-side apply on: every schema and CEL rule is checked by
 * the API server itself, with the message a user would see.
 */
class OperatorRealApiIT {
  private static RealApiServer apiServer;
  private static KubernetesClient client;
  private static Operator operator;

  @BeforeAll
  static void start() throws IOException {
    apiServer = RealApiServer.start();
    client = apiServer.client();
    apiServer.installCrds();
    apiServer.createNamespace("gatehouse-demo");
    apiServer.createNamespace(CelRuleCases.NAMESPACE);
    operator =
        SharedTestKit.startOperator(
            () ->
                GatehouseOperator.create(
                    client,
                    OperatorConfig.forTests(true),
                    ControlPlaneSync.DISCONNECTED,
                    Clock.systemUTC()));
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  static Stream<Path> validExamples() throws IOException {
    return ExamplesTest.validExamples();
  }

  static Stream<Path> kindE2eManifests() throws IOException {
    return ExamplesTest.kindE2eManifests();
  }

  static Stream<Path> invalidExamples() throws IOException {
    return ExamplesTest.invalidExamples();
  }

  /** Also the kind e2e's objects: its client Job, web server and Policy. */
  @ParameterizedTest
  @MethodSource({"validExamples", "kindE2eManifests"})
  void validExampleIsAccepted(Path file) throws IOException {
    HasMetadata object = apiServer.load(file);
    assertThat(client.resource(object).forceConflicts().serverSideApply()).isNotNull();
  }

  @ParameterizedTest
  @MethodSource("invalidExamples")
  void invalidExampleIsRefusedByTheApiServerWithItsMessage(Path file) throws IOException {
    HasMetadata object = apiServer.load(file);
    String rejectedBy = object.getMetadata().getAnnotations().get("gatehouse.dev/rejected-by");
    String expected = object.getMetadata().getAnnotations().get(ExamplesTest.EXPECTED_ERROR);
    if ("operator".equals(rejectedBy)) {
      assertThat(client.resource(object).forceConflicts().serverSideApply())
          .as("%s passes the schema; the operator reports it", file)
          .isNotNull();
      return;
    }
    assertThatThrownBy(() -> client.resource(object).forceConflicts().serverSideApply())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(expected);
            });
  }

  static List<CelRuleCases.Case> celRuleCases() throws IOException {
    return CelRuleCases.cases();
  }

  /** Each CEL rule of crds/ against the API server: its accept case passes, its refuse case not. */
  @ParameterizedTest
  @MethodSource("celRuleCases")
  void celRuleAcceptsItsAcceptCaseAndRefusesItsRefuseCase(CelRuleCases.Case c) throws IOException {
    String message =
        CelRuleCases.rulesInCrds().stream()
            .map(CelRuleCases.Rule::message)
            .filter(m -> m.startsWith(c.rulePrefix()))
            .findFirst()
            .orElseThrow();
    for (HasMetadata object : c.existing()) {
      client.resource(object).forceConflicts().serverSideApply();
    }

    assertThat(client.resource(c.accept()).dryRun().forceConflicts().serverSideApply())
        .as("%s: the accept case", c)
        .isNotNull();
    assertThatThrownBy(
            () -> client.resource(c.refuse()).dryRun().forceConflicts().serverSideApply())
        .as("%s: the refuse case", c)
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains(message);
            });
  }

  @Test
  void siteIsImmutableButOtherFieldsChange() {
    client.resource(TestGateways.gateway("gatehouse-demo", "immutable-site", 1)).create();
    var gateway =
        client.resources(Gateway.class).inNamespace("gatehouse-demo").withName("immutable-site");
    // Merge patches carry no resourceVersion, so the operator adding its finalizer meanwhile
    // causes no conflict.
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    assertThat(gateway.patch(merge, "{\"spec\":{\"replicas\":3}}").getSpec().getReplicas())
        .isEqualTo(3);

    assertThatThrownBy(() -> gateway.patch(merge, "{\"spec\":{\"site\":\"elsewhere\"}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> assertThat(e.getMessage()).contains("spec.site is immutable"));
  }

  @Test
  void nodePortNeedsANodePortService() {
    Gateway gateway = TestGateways.gateway("gatehouse-demo", "clusterip-nodeport", 1);
    GatewayServiceSpec service = new GatewayServiceSpec();
    service.setType(GatewayServiceSpec.ServiceType.ClusterIP);
    service.setNodePort(31000);
    gateway.getSpec().setService(service);
    assertThatThrownBy(() -> client.resource(gateway).create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e ->
                assertThat(e.getMessage())
                    .contains("spec.service.nodePort needs spec.service.type"));
  }

  @Test
  void defaultsComeFromTheSchema() {
    Gateway bare = TestGateways.gateway("gatehouse-demo", "defaults", 2);
    bare.getSpec().setReplicas(null);
    bare.getSpec().setService(null);
    bare.getSpec().setMode(null);
    Gateway created = client.resource(bare).create();
    assertThat(created.getSpec().getReplicas()).isEqualTo(2);
  }

  /**
   * The API server stores a gateway Deployment with the unsafe {@code net.ipv4.ip_forward} sysctl
   * (only a kubelet that does not allow it refuses the pod), and a Gateway can opt out.
   */
  @Test
  void ipForwardSysctlDefaultsOnAndCanBeTurnedOff() {
    apiServer.createNamespace("real-gw-sysctl");
    Gateway gateway = TestGateways.gateway("real-gw-sysctl", "fwd", 1);
    PodOverrides pod = new PodOverrides();
    pod.setIpForwardSysctl(null);
    gateway.getSpec().setPod(pod);
    Gateway created = client.resource(gateway).create();
    assertThat(created.getSpec().getPod().getIpForwardSysctl()).as("schema default").isTrue();

    var deployments = client.apps().deployments().inNamespace("real-gw-sysctl");
    await()
        .atMost(OperatorScenarios.TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(podSysctls(deployments.withName("fwd-gateway").get()))
                    .containsExactly(new Sysctl("net.ipv4.ip_forward", "1")));

    client
        .resources(Gateway.class)
        .inNamespace("real-gw-sysctl")
        .withName("fwd")
        .patch(
            PatchContext.of(PatchType.JSON_MERGE),
            "{\"spec\":{\"pod\":{\"ipForwardSysctl\":false}}}");
    await()
        .atMost(OperatorScenarios.TIMEOUT)
        .untilAsserted(
            () -> assertThat(podSysctls(deployments.withName("fwd-gateway").get())).isEmpty());
  }

  /** {@code spec.pod.udpSocket} reaches the pods as GATEHOUSE_UDP_SOCKET; others are refused. */
  @Test
  void theUdpSocketFallbackReachesThePodsAndUnknownSocketsAreRefused() {
    apiServer.createNamespace("real-gw-udp");
    client.resource(TestGateways.gateway("real-gw-udp", "sock", 1)).create();
    var deployments = client.apps().deployments().inNamespace("real-gw-udp");
    await()
        .atMost(OperatorScenarios.TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(udpSocketEnv(deployments.withName("sock-gateway").get()))
                    .isEqualTo("linux"));
    var gateway = client.resources(Gateway.class).inNamespace("real-gw-udp").withName("sock");
    PatchContext merge = PatchContext.of(PatchType.JSON_MERGE);
    gateway.patch(merge, "{\"spec\":{\"pod\":{\"udpSocket\":\"netty\"}}}");
    await()
        .atMost(OperatorScenarios.TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(udpSocketEnv(deployments.withName("sock-gateway").get()))
                    .isEqualTo("netty"));

    assertThatThrownBy(
            () -> gateway.patch(merge, "{\"spec\":{\"pod\":{\"udpSocket\":\"io_uring\"}}}"))
        .isInstanceOfSatisfying(
            KubernetesClientException.class,
            e -> {
              assertThat(e.getCode()).isEqualTo(422);
              assertThat(e.getMessage()).contains("spec.pod.udpSocket: Unsupported value");
            });
  }

  private static String udpSocketEnv(Deployment deployment) {
    assertThat(deployment).isNotNull();
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .filter(e -> e.getName().equals("GATEHOUSE_UDP_SOCKET"))
        .findFirst()
        .orElseThrow()
        .getValue();
  }

  private static List<Sysctl> podSysctls(Deployment deployment) {
    assertThat(deployment).isNotNull();
    PodSecurityContext security = deployment.getSpec().getTemplate().getSpec().getSecurityContext();
    return security.getSysctls() == null ? List.of() : security.getSysctls();
  }

  @Test
  void gatewayCreatesItsObjects() {
    apiServer.createNamespace("real-gw-objects");
    new OperatorScenarios(client, true).gatewayCreatesItsObjects("real-gw-objects");
  }

  @Test
  void gatewayAdvertisesItsServiceAddresses() {
    apiServer.createNamespace("real-gw-endpoints");
    new OperatorScenarios(client, true).gatewayAdvertisesItsServiceAddresses("real-gw-endpoints");
  }

  @Test
  void statusFollowsDeploymentAndSpecChangesRollOut() {
    apiServer.createNamespace("real-gw-status");
    new OperatorScenarios(client, true)
        .statusFollowsDeploymentAndSpecChangesRollOut("real-gw-status");
  }

  @Test
  void resourceResolvesServiceRef() {
    apiServer.createNamespace("real-res-service");
    new OperatorScenarios(client, true).resourceResolvesServiceRef("real-res-service");
  }

  @Test
  void policyFollowsItsResource() {
    apiServer.createNamespace("real-policy-ref");
    new OperatorScenarios(client, true).policyFollowsItsResource("real-policy-ref");
  }

  @Test
  void aLabelledServiceBecomesAResource() {
    apiServer.createNamespace("real-expose");
    new OperatorScenarios(client, true).aLabelledServiceBecomesAResource("real-expose");
  }
}
