package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.Release;
import dev.gatehouse.operator.SharedTestKit;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart's life as a platform team lives it, with real {@code helm install}, {@code helm
 * upgrade} and {@code helm uninstall} (the Helm library helm-java embeds) against a real
 * kube-apiserver: install; upgrade to a chart version whose Gateway CRD gained a field (the CRD on
 * the server must follow, and a Gateway using the field must keep it); uninstall, which removes the
 * release's objects and keeps the CRDs (and so everyone's Gateways, Resources and Policies).
 */
class HelmLifecycleIT {
  private static final String NS = "gatehouse-life";
  private static final String RELEASE = "life";
  private static final String GATEWAYS = "gateways.gatehouse.dev";
  private static final List<String> CRDS =
      List.of(GATEWAYS, "resources.gatehouse.dev", "policies.gatehouse.dev");
  private static final ResourceDefinitionContext GATEWAY =
      new ResourceDefinitionContext.Builder()
          .withGroup("gatehouse.dev")
          .withVersion("v1alpha1")
          .withKind("Gateway")
          .withPlural("gateways")
          .withNamespaced(true)
          .build();

  private static SharedTestKit.ApiServer apiServer;
  private static KubernetesClient admin;
  private static Path kubeconfig;

  @BeforeAll
  static void start() throws IOException {
    apiServer = SharedTestKit.ApiServer.start();
    admin = apiServer.client();
    kubeconfig = Files.createTempFile("helm-life", ".kubeconfig");
    Files.writeString(kubeconfig, apiServer.kubeConfigYaml());
  }

  @AfterAll
  static void stop() throws IOException {
    if (apiServer != null) {
      apiServer.close();
    }
    if (kubeconfig != null) {
      Files.deleteIfExists(kubeconfig);
    }
  }

  @Test
  void installUpgradeWithACrdChangeAndUninstallKeepingTheCrds() throws IOException {
    Release installed =
        new Helm(RenderedChart.CHART)
            .install()
            .withName(RELEASE)
            .withNamespace(NS)
            .createNamespace()
            .withKubeConfig(kubeconfig)
            .call();
    assertThat(installed.getStatus()).isEqualTo("deployed");
    assertThat(installed.getRevision()).isEqualTo("1");
    Deployment operator =
        admin.apps().deployments().inNamespace(NS).withName("life-gatehouse-operator").get();
    assertThat(operator).as("the operator Deployment").isNotNull();
    assertThat(admin.serviceAccounts().inNamespace(NS).withName("life-gatehouse-operator").get())
        .isNotNull();
    assertThat(releaseClusterRoles()).isNotEmpty();
    for (String crd : CRDS) {
      assertThat(crd(crd)).as(crd).isNotNull();
    }
    assertThat(hasUpgradeProbe(crd(GATEWAYS))).isFalse();

    Path next = nextChartVersion();
    Release upgraded =
        new Helm(next)
            .upgrade()
            .withName(RELEASE)
            .withNamespace(NS)
            .withKubeConfig(kubeconfig)
            .call();
    assertThat(upgraded.getStatus()).isEqualTo("deployed");
    assertThat(upgraded.getRevision()).isEqualTo("2");
    assertThat(upgraded.getChart()).isEqualTo("gatehouse-0.2.0");
    Awaitility.await().until(() -> hasUpgradeProbe(crd(GATEWAYS)));
    GenericKubernetesResource gateway = gatewayWithTheNewField();
    GenericKubernetesResource stored =
        Awaitility.await()
            .ignoreExceptions()
            .until(
                () ->
                    admin
                        .genericKubernetesResources(GATEWAY)
                        .inNamespace(NS)
                        .resource(gateway)
                        .create(),
                g -> g != null);
    assertThat(((Map<?, ?>) stored.getAdditionalProperties().get("spec")).get("upgradeProbe"))
        .as("the new field is kept, not pruned: the stored CRD's schema has it")
        .isEqualTo("kept");

    String out =
        new Helm(next).uninstall(RELEASE).withNamespace(NS).withKubeConfig(kubeconfig).call();
    assertThat(out).contains(RELEASE);
    Awaitility.await()
        .until(
            () ->
                admin.apps().deployments().inNamespace(NS).withName("life-gatehouse-operator").get()
                        == null
                    && admin
                            .serviceAccounts()
                            .inNamespace(NS)
                            .withName("life-gatehouse-operator")
                            .get()
                        == null
                    && releaseClusterRoles().isEmpty());
    for (String crd : CRDS) {
      assertThat(crd(crd))
          .as(crd + " is kept on uninstall (helm.sh/resource-policy: keep)")
          .isNotNull();
    }
    assertThat(admin.genericKubernetesResources(GATEWAY).inNamespace(NS).withName("edge").get())
        .as("the Gateway outlives the release")
        .isNotNull();
  }

  private static CustomResourceDefinition crd(String name) {
    return admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
  }

  private static boolean hasUpgradeProbe(CustomResourceDefinition crd) {
    return crd.getSpec()
        .getVersions()
        .getFirst()
        .getSchema()
        .getOpenAPIV3Schema()
        .getProperties()
        .get("spec")
        .getProperties()
        .containsKey("upgradeProbe");
  }

  private static List<ClusterRole> releaseClusterRoles() {
    return admin
        .rbac()
        .clusterRoles()
        .withLabel("app.kubernetes.io/instance", RELEASE)
        .list()
        .getItems();
  }

  /** A copy of the chart as version 0.2.0, its Gateway CRD with one more optional field. */
  private static Path nextChartVersion() throws IOException {
    Path copy = Files.createTempDirectory("gatehouse-chart-0.2.0").resolve("gatehouse");
    try (Stream<Path> files = Files.walk(RenderedChart.CHART)) {
      for (Path from : files.toList()) {
        Path to = copy.resolve(RenderedChart.CHART.relativize(from).toString());
        if (Files.isDirectory(from)) {
          Files.createDirectories(to);
        } else {
          Files.copy(from, to);
        }
      }
    }
    Path chart = copy.resolve("Chart.yaml");
    Files.writeString(
        chart, Files.readString(chart).replace("\nversion: 0.1.0\n", "\nversion: 0.2.0\n"));
    Path crd = copy.resolve("files/crds/gateways.gatehouse.dev-v1.yml");
    String text = Files.readString(crd);
    String anchor = "          spec:\n            properties:\n";
    assertThat(text).contains(anchor);
    Files.writeString(
        crd,
        text.replace(
            anchor,
            anchor
                + "              upgradeProbe:\n"
                + "                description: \"A field only chart version 0.2.0 has.\"\n"
                + "                type: \"string\"\n"));
    return copy;
  }

  private static GenericKubernetesResource gatewayWithTheNewField() throws IOException {
    GenericKubernetesResource g;
    try (var in = Files.newInputStream(Path.of("..", "examples", "gateway.yaml"))) {
      g = admin.getKubernetesSerialization().unmarshal(in, GenericKubernetesResource.class);
    }
    g.getMetadata().setNamespace(NS);
    @SuppressWarnings("unchecked")
    Map<String, Object> spec = (Map<String, Object>) g.getAdditionalProperties().get("spec");
    spec.put("upgradeProbe", "kept");
    return g;
  }
}
