package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The chart serves the operator's API node whenever it configures a control-plane database. */
class ApiNodeChartTest {
  private static final String NS = "gatehouse-system";

  @Test
  void noDatabaseNoApiNode() {
    RenderedChart chart = RenderedChart.render(NS);
    assertThat(chart.find(Service.class, "gatehouse-api")).isEmpty();
    assertThat(env(chart)).doesNotContainKey("GATEHOUSE_FLOW_KEY_SECRET");
  }

  @Test
  void aDatabaseNeedsAFlowKey() {
    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    NS,
                    Map.of(
                        "database.url", "jdbc:postgresql://db:5432/gatehouse",
                        "database.existingSecret", "db")))
        .hasMessageContaining("apiNode.flowKeySecret (or apiNode.existingSecret) is required");
  }

  @Test
  void theApiNodeGetsItsSecretPortAndService() {
    RenderedChart chart =
        RenderedChart.render(
            NS,
            Map.of(
                "database.url", "jdbc:postgresql://db:5432/gatehouse",
                "database.existingSecret", "db",
                "apiNode.flowKeySecret", HelmChartTest.FLOW_KEY,
                "apiNode.adminToken", "admin"));

    Service api = chart.get(Service.class, "gatehouse-api");
    assertThat(api.getSpec().getPorts().getFirst().getPort()).isEqualTo(8443);
    Secret secret = chart.get(Secret.class, "gh-gatehouse-api-node");
    assertThat(secret.getStringData())
        .containsEntry("flowKeySecret", HelmChartTest.FLOW_KEY)
        .containsEntry("adminToken", "admin");
    Map<String, EnvVar> env = env(chart);
    assertThat(env.get("GATEHOUSE_FLOW_KEY_SECRET").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("gh-gatehouse-api-node");
    assertThat(env.get("GATEHOUSE_API_PORT").getValue()).isEqualTo("8443");
  }

  /** Secrets only in Secrets: the kind e2e creates one and passes only its name to the chart. */
  @Test
  void anExistingSecretCarriesTheFlowKeyAndTheAdminToken() {
    RenderedChart chart =
        RenderedChart.render(
            NS,
            Map.of(
                "postgresql.bundled.enabled", "true",
                "postgresql.bundled.password", "pw",
                "apiNode.existingSecret", "api-node-keys"));

    assertThat(chart.find(Secret.class, "gh-gatehouse-api-node")).isEmpty();
    Map<String, EnvVar> env = env(chart);
    var flowKey = env.get("GATEHOUSE_FLOW_KEY_SECRET").getValueFrom().getSecretKeyRef();
    assertThat(flowKey.getName()).isEqualTo("api-node-keys");
    assertThat(flowKey.getKey()).isEqualTo("flowKeySecret");
    var adminToken = env.get("GATEHOUSE_ADMIN_TOKEN").getValueFrom().getSecretKeyRef();
    assertThat(adminToken.getName()).isEqualTo("api-node-keys");
    assertThat(adminToken.getKey()).isEqualTo("adminToken");
    assertThat(adminToken.getOptional()).as("no adminToken key: no admin API").isTrue();
  }

  @Test
  void aTlsSecretIsMountedReadOnlyAndNamedToTheApiNode() {
    RenderedChart chart = withApiNode(Map.of("apiNode.tls.existingSecret", "gatehouse-api-tls"));

    Map<String, EnvVar> env = env(chart);
    assertThat(env.get("GATEHOUSE_API_TLS_CERT").getValue())
        .isEqualTo("/etc/gatehouse/api-tls/tls.crt");
    assertThat(env.get("GATEHOUSE_API_TLS_KEY").getValue())
        .isEqualTo("/etc/gatehouse/api-tls/tls.key");
    var pod = chart.all(Deployment.class).getFirst().getSpec().getTemplate().getSpec();
    var volume =
        pod.getVolumes().stream().filter(v -> v.getName().equals("api-tls")).findFirst().get();
    assertThat(volume.getSecret().getSecretName()).isEqualTo("gatehouse-api-tls");
    assertThat(volume.getSecret().getItems())
        .extracting(i -> i.getKey())
        .containsExactly("tls.crt", "tls.key");
    var mount =
        pod.getContainers().getFirst().getVolumeMounts().stream()
            .filter(m -> m.getName().equals("api-tls"))
            .findFirst()
            .get();
    assertThat(mount.getMountPath()).isEqualTo("/etc/gatehouse/api-tls");
    assertThat(mount.getReadOnly()).isTrue();
  }

  @Test
  void withoutATlsSecretNothingIsMounted() {
    RenderedChart chart = withApiNode(Map.of());
    assertThat(env(chart)).doesNotContainKeys("GATEHOUSE_API_TLS_CERT", "GATEHOUSE_API_TLS_KEY");
    assertThat(
            chart.all(Deployment.class).getFirst().getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getName())
        .containsExactly("tmp");
  }

  @Test
  void aGatewayCaConfigMapIsPassedToTheOperator() {
    RenderedChart chart =
        RenderedChart.render(NS, Map.of("gateway.apiCaConfigMap", "gatehouse-api-ca"));
    assertThat(env(chart).get("GATEHOUSE_GATEWAY_API_CA_CONFIGMAP").getValue())
        .isEqualTo("gatehouse-api-ca");
    assertThat(env(RenderedChart.render(NS)))
        .doesNotContainKey("GATEHOUSE_GATEWAY_API_CA_CONFIGMAP");
  }

  @Test
  void theSchemaRefusesATlsSecretThatIsNotAName() {
    assertThatThrownBy(
            () -> RenderedChart.render(NS, Map.of("apiNode.tls.existingSecret", "Not A Name")))
        .hasMessageContaining("existingSecret");
  }

  /** The chart with an external database and a flow key, plus {@code extra}. */
  private static RenderedChart withApiNode(Map<String, String> extra) {
    Map<String, Object> values = new java.util.HashMap<>(extra);
    values.put("database.url", "jdbc:postgresql://db:5432/gatehouse");
    values.put("database.existingSecret", "db");
    values.put("apiNode.flowKeySecret", HelmChartTest.FLOW_KEY);
    return RenderedChart.render(NS, values);
  }

  private static Map<String, EnvVar> env(RenderedChart chart) {
    Deployment operator = chart.all(Deployment.class).getFirst();
    return operator.getSpec().getTemplate().getSpec().getContainers().getFirst().getEnv().stream()
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
  }
}
