package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import dev.gatehouse.operator.gateway.GatewayDeployments;
import dev.gatehouse.operator.gateway.GatewayNames;
import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.StatefulSet;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.Role;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart in {@code charts/gatehouse}, linted and rendered with the Helm library embedded in
 * helm-java: what it renders for the operator (security, leader election, RBAC), what its values
 * schema refuses, and that its CRDs are the repository's {@code crds/}.
 *
 * <p>After regenerating {@code crds/}, refresh the chart's copy with {@code
 * -Dgatehouse.updateCrds=true}.
 */
class HelmChartTest {
  /** A flow key as `openssl rand -base64 32` makes one. */
  static final String FLOW_KEY = "q6l0Yv8n2nqW1mY8z3sQ7uE4rT9pK5xA1cD2eF3gH4I=";

  private static final String NS = "gatehouse-system";
  private static final String OPERATOR = "gh-gatehouse-operator";

  @Test
  void lintsCleanInStrictMode() {
    LintResult result = new Helm(RenderedChart.CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
    assertThat(result.getMessages())
        .as("lint messages")
        .noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
  }

  @Test
  void operatorRunsTwoLeaderElectedReplicasUnderRestrictedPodSecurity() {
    Deployment deployment = RenderedChart.render(NS).get(Deployment.class, OPERATOR);
    assertThat(deployment.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    PodSpec pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo(OPERATOR);
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(pod.getHostNetwork()).isNull();
    Container operator = pod.getContainers().getFirst();
    assertThat(operator.getImage()).isEqualTo("ghcr.io/gatehouse-dev/operator:0.1.0");
    var security = operator.getSecurityContext();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");

    Map<String, EnvVar> env = env(operator);
    assertThat(env.get("POD_NAME").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.name");
    assertThat(env.get("POD_NAMESPACE").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.namespace");
    assertThat(env.get("GATEHOUSE_LEADER_ELECTION").getValue()).isEqualTo("true");
    assertThat(env.get("GATEHOUSE_LEASE_NAME").getValue()).isEqualTo("gatehouse-operator-leader");
    assertThat(env.get("GATEHOUSE_LEASE_SECONDS").getValue()).isEqualTo("15");
    assertThat(env.get("GATEHOUSE_WATCH_NAMESPACES").getValue()).isEmpty();
    assertThat(env.get("GATEHOUSE_HTTP_PORT").getValue()).isEqualTo("8080");
    assertThat(env).doesNotContainKey("GATEHOUSE_DATABASE_URL");

    assertThat(operator.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(operator.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(operator.getPorts().getFirst().getContainerPort()).isEqualTo(8080);
    assertThat(operator.getVolumeMounts())
        .as("a writable /tmp, since the root filesystem is read-only")
        .anySatisfy(m -> assertThat(m.getMountPath()).isEqualTo("/tmp"));
  }

  @Test
  void settingsReachTheOperatorsEnvironment() {
    Deployment deployment =
        RenderedChart.render(
                NS,
                Map.of(
                    "replicaCount", 3,
                    "watchNamespaces[0]", "team-a",
                    "watchNamespaces[1]", "team-b",
                    "leaderElection.leaseName", "lease-x",
                    "leaderElection.leaseDurationSeconds", 30,
                    "gateway.image", "registry.example/gw:1",
                    "gateway.controlPlaneUrl", "wss://api.example:8443",
                    "http.port", 9090,
                    "resyncSeconds", 120,
                    "image.tag", "1.2.3"))
            .get(Deployment.class, OPERATOR);
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    Container operator = deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(operator.getImage()).isEqualTo("ghcr.io/gatehouse-dev/operator:1.2.3");
    Map<String, EnvVar> env = env(operator);
    assertThat(env.get("GATEHOUSE_WATCH_NAMESPACES").getValue()).isEqualTo("team-a,team-b");
    assertThat(env.get("GATEHOUSE_LEASE_NAME").getValue()).isEqualTo("lease-x");
    assertThat(env.get("GATEHOUSE_LEASE_SECONDS").getValue()).isEqualTo("30");
    assertThat(env.get("GATEHOUSE_GATEWAY_IMAGE").getValue()).isEqualTo("registry.example/gw:1");
    assertThat(env.get("GATEHOUSE_CONTROL_PLANE_URL").getValue())
        .isEqualTo("wss://api.example:8443");
    assertThat(env.get("GATEHOUSE_HTTP_PORT").getValue()).isEqualTo("9090");
    assertThat(env.get("GATEHOUSE_RESYNC_SECONDS").getValue()).isEqualTo("120");
    assertThat(operator.getPorts().getFirst().getContainerPort()).isEqualTo(9090);
  }

  /** The values e2e/kind/run.sh installs the chart with: locally built images, bundled DB. */
  @Test
  void rendersWithTheKindEndToEndValues() {
    RenderedChart chart =
        RenderedChart.render(
            "gatehouse",
            Map.of(
                "image.repository", "gatehouse/operator",
                "image.tag", "e2e-20261128",
                "image.pullPolicy", "Never",
                "gateway.image", "gatehouse/gateway:e2e-20261128",
                "postgresql.bundled.enabled", true,
                "postgresql.bundled.password", "e2e-only",
                "apiNode.flowKeySecret", FLOW_KEY));
    Container operator = operatorContainer(chart);
    assertThat(operator.getImage()).isEqualTo("gatehouse/operator:e2e-20261128");
    assertThat(operator.getImagePullPolicy()).isEqualTo("Never");
    assertThat(env(operator).get("GATEHOUSE_GATEWAY_IMAGE").getValue())
        .isEqualTo("gatehouse/gateway:e2e-20261128");
    assertThat(env(operator).get("GATEHOUSE_DATABASE_URL").getValue())
        .isEqualTo("jdbc:postgresql://gh-gatehouse-postgresql.gatehouse.svc:5432/gatehouse");
  }

  @Test
  void aRelayIsDeployedUnprivilegedAndTheApiNodeLearnsItsAddressesAndSecret() {
    // Ordered: with Map.of's order helm reported relay.addresses as a string, not a list.
    Map<String, Object> values = new java.util.LinkedHashMap<>();
    values.put("postgresql.bundled.enabled", true);
    values.put("postgresql.bundled.password", "p");
    values.put("apiNode.flowKeySecret", FLOW_KEY);
    values.put("relay.enabled", true);
    values.put("relay.secret", "relay-secret");
    values.put("relay.addresses[0]", "203.0.113.7:3478");
    values.put("relay.addresses[1]", "relay-2.example.com:3478");
    RenderedChart chart = RenderedChart.render(NS, values);

    Deployment relay = chart.get(Deployment.class, "gh-gatehouse-relay");
    Container container = relay.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getSecurityContext().getPrivileged()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(container.getArgs())
        .contains("--secret-file=/etc/gatehouse/relay/secret", "--public-ip=$(PUBLIC_IP)");
    assertThat(container.getArgs().toString()).doesNotContain("relay-secret");
    assertThat(relay.getSpec().getTemplate().getSpec().getSecurityContext().getFsGroup())
        .as("the secret's 0440 files readable by the relay's user")
        .isEqualTo(65532L);
    assertThat(publicIpField(container))
        .as("hostNetwork: the node's address")
        .isEqualTo("status.hostIP");
    values.put("relay.hostNetwork", false);
    Container onPodNetwork =
        RenderedChart.render(NS, values)
            .get(Deployment.class, "gh-gatehouse-relay")
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst();
    assertThat(publicIpField(onPodNetwork)).as("pod network: the pod's").isEqualTo("status.podIP");
    assertThat(chart.get(io.fabric8.kubernetes.api.model.Secret.class, "gh-gatehouse-relay"))
        .isNotNull();

    Container operator = operatorContainer(chart);
    assertThat(env(operator).get("GATEHOUSE_RELAYS").getValue())
        .isEqualTo("203.0.113.7:3478,relay-2.example.com:3478");
    assertThat(env(operator).get("GATEHOUSE_RELAY_SECRET").getValueFrom().getSecretKeyRef())
        .satisfies(
            ref -> {
              assertThat(ref.getName()).isEqualTo("gh-gatehouse-relay");
              assertThat(ref.getKey()).isEqualTo("secret");
            });

    assertThatThrownBy(
            () ->
                RenderedChart.render(
                    NS, Map.of("relay.enabled", true, "relay.secret", "relay-secret")))
        .hasMessageContaining("relay.addresses is required");
  }

  private static String publicIpField(Container relay) {
    return relay.getEnv().stream()
        .filter(e -> e.getName().equals("PUBLIC_IP"))
        .findFirst()
        .orElseThrow()
        .getValueFrom()
        .getFieldRef()
        .getFieldPath();
  }

  /** A renamed variable would be silently ignored by the operator: every name must be read. */
  @Test
  void everyVariableTheChartSetsIsOneTheOperatorReads() throws IOException {
    Set<String> read = new TreeSet<>(Set.of("POD_NAME", "POD_NAMESPACE"));
    try (Stream<Path> sources = Files.walk(Path.of("src", "main", "java"))) {
      for (Path source : sources.filter(p -> p.toString().endsWith(".java")).toList()) {
        Matcher literal =
            Pattern.compile("\"(GATEHOUSE_[A-Z_]+)\"").matcher(Files.readString(source));
        while (literal.find()) {
          read.add(literal.group(1));
        }
      }
    }
    Container operator =
        RenderedChart.render(
                NS,
                Map.of(
                    "apiNode.flowKeySecret", FLOW_KEY,
                    "database.url", "jdbc:postgresql://db:5432/gatehouse",
                    "database.existingSecret", "db",
                    "gateway.controlPlaneUrl", "wss://api.example:8443"))
            .get(Deployment.class, OPERATOR)
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst();
    assertThat(env(operator).keySet())
        .as("variables the operator's sources read: %s", read)
        .isSubsetOf(read)
        .contains("GATEHOUSE_DATABASE_URL", "GATEHOUSE_CONTROL_PLANE_URL", "POD_NAME");
  }

  @Test
  void leaderElectionOffRendersNoLeaseRole() {
    RenderedChart chart = RenderedChart.render(NS, Map.of("leaderElection.enabled", false));
    Container operator = operatorContainer(chart);
    assertThat(env(operator).get("GATEHOUSE_LEADER_ELECTION").getValue()).isEqualTo("false");
    assertThat(env(operator)).doesNotContainKey("GATEHOUSE_LEASE_NAME");
    assertThat(chart.find(Role.class, OPERATOR + "-leader-election")).isEmpty();
  }

  @Test
  void allNamespacesGetClusterRolesWithOnlyWhatTheOperatorUses() {
    RenderedChart chart = RenderedChart.render(NS);
    assertThat(chart.all(ClusterRole.class))
        .extracting(r -> r.getMetadata().getName())
        .containsExactlyInAnyOrder(OPERATOR + "-reconcile", OPERATOR + "-workloads");
    for (ClusterRoleBinding binding : chart.all(ClusterRoleBinding.class)) {
      assertThat(binding.getSubjects())
          .singleElement()
          .satisfies(
              s -> {
                assertThat(s.getKind()).isEqualTo("ServiceAccount");
                assertThat(s.getName()).isEqualTo(OPERATOR);
                assertThat(s.getNamespace()).isEqualTo(NS);
              });
    }
    List<PolicyRule> reconcile = chart.get(ClusterRole.class, OPERATOR + "-reconcile").getRules();
    assertThat(verbs(reconcile, "gatehouse.dev", "gateways"))
        .containsExactlyInAnyOrder("get", "list", "watch", "patch");
    assertThat(verbs(reconcile, "gatehouse.dev", "resources"))
        .as("exposed Services get a Resource, which goes when the label goes")
        .containsExactlyInAnyOrder("get", "list", "watch", "patch", "create", "delete");
    assertThat(verbs(reconcile, "gatehouse.dev", "gateways/status")).containsExactly("patch");
    assertThat(verbs(reconcile, "gatehouse.dev", "policies/finalizers")).containsExactly("update");
    assertThat(verbs(reconcile, "", "services")).containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(reconcile, "", "events")).containsExactlyInAnyOrder("create", "patch");
    assertThat(verbs(reconcile, "", "secrets")).isEmpty();

    List<PolicyRule> workloads = chart.get(ClusterRole.class, OPERATOR + "-workloads").getRules();
    assertThat(verbs(workloads, "", "secrets"))
        .as("token Secrets are written, never read")
        .containsExactly("create");
    assertThat(verbs(workloads, "", "configmaps"))
        .as("a gateway's Service addresses are written for its pods, never read back")
        .containsExactlyInAnyOrder("create", "patch");
    assertThat(verbs(workloads, "apps", "deployments")).doesNotContain("delete", "*");
    assertThat(verbs(workloads, "policy", "poddisruptionbudgets")).contains("delete");

    for (var role : chart.all(ClusterRole.class)) {
      for (PolicyRule rule : role.getRules()) {
        assertThat(rule.getVerbs()).as("no wildcard verbs in %s", role).doesNotContain("*");
        assertThat(rule.getResources()).as("no wildcard resources").doesNotContain("*");
        assertThat(rule.getApiGroups()).as("no wildcard groups").doesNotContain("*");
      }
      assertThat(verbs(role.getRules(), "rbac.authorization.k8s.io", "roles")).isEmpty();
      assertThat(verbs(role.getRules(), "", "pods")).isEmpty();
      assertThat(verbs(role.getRules(), "coordination.k8s.io", "leases"))
          .as("leases only in the release namespace")
          .isEmpty();
    }

    Role lease = chart.get(Role.class, OPERATOR + "-leader-election");
    assertThat(lease.getMetadata().getNamespace()).isEqualTo(NS);
    assertThat(lease.getRules())
        .allSatisfy(r -> assertThat(r.getResources()).containsExactly("leases"));
    assertThat(lease.getRules())
        .filteredOn(r -> r.getVerbs().contains("update"))
        .singleElement()
        .satisfies(
            r -> assertThat(r.getResourceNames()).containsExactly("gatehouse-operator-leader"));
  }

  @Test
  void withSidecarInjectionTheOperatorMaySeePodsButStillReadsNoSecret() {
    RenderedChart chart = RenderedChart.render(NS, Map.of("sidecarInjection.enabled", true));

    List<PolicyRule> workloads = chart.get(ClusterRole.class, OPERATOR + "-workloads").getRules();
    assertThat(verbs(workloads, "", "pods"))
        .as("injected pods' tokens are minted and revoked")
        .containsExactlyInAnyOrder("get", "list", "watch");
    assertThat(verbs(workloads, "", "secrets"))
        .as("their token Secrets are written, never read")
        .containsExactly("create");
    assertThat(chart.get(Deployment.class, OPERATOR).getSpec().getTemplate().getSpec())
        .satisfies(
            pod ->
                assertThat(pod.getContainers().getFirst().getEnv())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getName()).isEqualTo("GATEHOUSE_SIDECAR_INJECTION");
                          assertThat(e.getValue()).isEqualTo("true");
                        }));
  }

  @Test
  void watchedNamespacesGetRolesThereAndNothingClusterWide() {
    RenderedChart chart =
        RenderedChart.render(
            NS, Map.of("watchNamespaces[0]", "team-a", "watchNamespaces[1]", "team-b"));
    assertThat(chart.all(ClusterRole.class)).isEmpty();
    assertThat(chart.all(ClusterRoleBinding.class)).isEmpty();
    assertThat(chart.all(Role.class))
        .extracting(r -> r.getMetadata().getNamespace() + "/" + r.getMetadata().getName())
        .containsExactlyInAnyOrder(
            "team-a/" + OPERATOR + "-reconcile",
            "team-a/" + OPERATOR + "-workloads",
            "team-b/" + OPERATOR + "-reconcile",
            "team-b/" + OPERATOR + "-workloads",
            NS + "/" + OPERATOR + "-leader-election");
    assertThat(chart.all(RoleBinding.class))
        .allSatisfy(
            b -> {
              assertThat(b.getRoleRef().getKind()).isEqualTo("Role");
              assertThat(b.getRoleRef().getName()).startsWith(OPERATOR);
              assertThat(b.getSubjects().getFirst().getNamespace()).isEqualTo(NS);
            })
        .hasSize(5);
    assertThat(chart.all(Role.class))
        .filteredOn(r -> !verbs(r.getRules(), "", "secrets").isEmpty())
        .extracting(r -> r.getMetadata().getNamespace())
        .as("Secrets only where gateways live")
        .containsExactlyInAnyOrder("team-a", "team-b");
  }

  @Test
  void crdsAreTheRepositorysAndAreUpgradedWithTheRelease() throws IOException {
    if (Boolean.getBoolean("gatehouse.updateCrds")) {
      copyRepoCrdsIntoChart();
    }
    List<String> repoFiles = fileNames(RenderedChart.REPO_CRDS);
    assertThat(fileNames(RenderedChart.CHART_CRDS))
        .as(
            "charts/gatehouse/files/crds/ mirrors crds/; refresh with"
                + " -Dtest=HelmChartTest -Dgatehouse.updateCrds=true")
        .isEqualTo(repoFiles)
        .isNotEmpty();
    for (String name : repoFiles) {
      assertThat(Files.readAllBytes(RenderedChart.CHART_CRDS.resolve(name)))
          .as(
              "charts/gatehouse/files/crds/%s is byte-identical to crds/%s; refresh with"
                  + " -Dtest=HelmChartTest -Dgatehouse.updateCrds=true",
              name, name)
          .isEqualTo(Files.readAllBytes(RenderedChart.REPO_CRDS.resolve(name)));
    }
    assertThat(Files.exists(RenderedChart.CHART.resolve("crds")))
        .as("no crds/ dir in the chart: helm never upgrades those")
        .isFalse();

    KubernetesSerialization serialization = new KubernetesSerialization();
    List<CustomResourceDefinition> rendered =
        RenderedChart.render(NS).all(CustomResourceDefinition.class);
    assertThat(rendered).hasSameSizeAs(repoFiles);
    for (String name : repoFiles) {
      CustomResourceDefinition expected =
          serialization.unmarshal(
              Files.readString(RenderedChart.REPO_CRDS.resolve(name)),
              CustomResourceDefinition.class);
      CustomResourceDefinition actual =
          rendered.stream()
              .filter(c -> c.getMetadata().getName().equals(expected.getMetadata().getName()))
              .findFirst()
              .orElseThrow();
      assertThat(actual.getMetadata().getAnnotations())
          .as("helm uninstall keeps the CRDs and every Gateway, Resource and Policy")
          .containsEntry("helm.sh/resource-policy", "keep");
      actual.getMetadata().getAnnotations().remove("helm.sh/resource-policy");
      if (actual.getMetadata().getAnnotations().isEmpty()) {
        actual.getMetadata().setAnnotations(expected.getMetadata().getAnnotations());
      }
      assertThat(actual).as("rendered %s", name).isEqualTo(expected);
    }

    assertThat(
            RenderedChart.render(NS, Map.of("crds.install", false))
                .all(CustomResourceDefinition.class))
        .isEmpty();
    assertThat(
            RenderedChart.render(NS, Map.of("crds.keep", false))
                .all(CustomResourceDefinition.class))
        .allSatisfy(c -> assertThat(c.getMetadata().getAnnotations()).isNullOrEmpty());
  }

  @Test
  void externalDatabaseComesFromTheExistingSecret() {
    RenderedChart chart =
        RenderedChart.render(
            NS,
            Map.of(
                "apiNode.flowKeySecret", FLOW_KEY,
                "database.url", "jdbc:postgresql://db.example:5432/gatehouse",
                "database.existingSecret", "gatehouse-db",
                "database.passwordKey", "pw"));
    Map<String, EnvVar> env = env(operatorContainer(chart));
    assertThat(env.get("GATEHOUSE_DATABASE_URL").getValue())
        .isEqualTo("jdbc:postgresql://db.example:5432/gatehouse");
    assertThat(env.get("GATEHOUSE_DATABASE_USER").getValue()).isEqualTo("gatehouse");
    assertThat(env.get("GATEHOUSE_DATABASE_PASSWORD").getValue()).isNull();
    assertThat(env.get("GATEHOUSE_DATABASE_PASSWORD").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("gatehouse-db");
    assertThat(env.get("GATEHOUSE_DATABASE_PASSWORD").getValueFrom().getSecretKeyRef().getKey())
        .isEqualTo("pw");
    assertThat(chart.all(StatefulSet.class)).isEmpty();
  }

  @Test
  void bundledPostgresqlIsOneLogicalReplicationReadyInstanceOnlyTheOperatorReaches() {
    assertThatThrownBy(() -> RenderedChart.render(NS, Map.of("postgresql.bundled.enabled", true)))
        .hasMessageContaining("postgresql.bundled.enabled needs postgresql.bundled.password");
    RenderedChart chart =
        RenderedChart.render(
            NS,
            Map.of(
                "postgresql.bundled.enabled",
                true,
                "postgresql.bundled.password",
                "s3cret",
                "apiNode.flowKeySecret",
                FLOW_KEY));
    StatefulSet postgres = chart.get(StatefulSet.class, "gh-gatehouse-postgresql");
    assertThat(postgres.getSpec().getReplicas()).isEqualTo(1);
    Container container = postgres.getSpec().getTemplate().getSpec().getContainers().getFirst();
    assertThat(container.getArgs()).containsSequence("-c", "wal_level=logical");
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(
            postgres
                .getSpec()
                .getVolumeClaimTemplates()
                .getFirst()
                .getSpec()
                .getResources()
                .getRequests()
                .get("storage")
                .toString())
        .isEqualTo("1Gi");
    Secret password = chart.get(Secret.class, "gh-gatehouse-postgresql");
    assertThat(password.getData().get("password"))
        .isEqualTo(java.util.Base64.getEncoder().encodeToString("s3cret".getBytes()));

    Map<String, EnvVar> env = env(operatorContainer(chart));
    assertThat(env.get("GATEHOUSE_DATABASE_URL").getValue())
        .isEqualTo("jdbc:postgresql://gh-gatehouse-postgresql." + NS + ".svc:5432/gatehouse");
    assertThat(env.get("GATEHOUSE_DATABASE_PASSWORD").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("gh-gatehouse-postgresql");

    NetworkPolicy only = chart.get(NetworkPolicy.class, "gh-gatehouse-postgresql");
    assertThat(
            only.getSpec()
                .getIngress()
                .getFirst()
                .getFrom()
                .getFirst()
                .getPodSelector()
                .getMatchLabels())
        .containsEntry("app.kubernetes.io/name", "gatehouse-operator");
  }

  @Test
  void optionalObjectsFollowTheirSwitches() {
    RenderedChart defaults = RenderedChart.render(NS);
    assertThat(defaults.ofKind("ServiceMonitor")).as("ServiceMonitor is off by default").isEmpty();
    assertThat(defaults.find(NetworkPolicy.class, OPERATOR)).isPresent();
    PodDisruptionBudget pdb = defaults.get(PodDisruptionBudget.class, OPERATOR);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
    assertThat(pdb.getSpec().getSelector().getMatchLabels())
        .isEqualTo(
            defaults.get(Deployment.class, OPERATOR).getSpec().getSelector().getMatchLabels());

    RenderedChart toggled =
        RenderedChart.render(
            NS,
            Map.of(
                "serviceMonitor.enabled", true,
                "networkPolicy.enabled", false,
                "replicaCount", 1));
    HasMetadata monitor = toggled.ofKind("ServiceMonitor").getFirst();
    assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
    assertThat(toggled.all(NetworkPolicy.class)).isEmpty();
    assertThat(toggled.all(PodDisruptionBudget.class))
        .as("no PDB for a single operator replica: it would block every node drain")
        .isEmpty();
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePodMonitorSelectsTheGatewayPodsTheOperatorMakesAndScrapesTheirMetricsPort() {
    RenderedChart defaults = RenderedChart.render(NS);
    assertThat(defaults.ofKind("PodMonitor")).as("PodMonitor is off by default").isEmpty();
    assertThat(defaults.ofKind("ConfigMap")).as("dashboard is off by default").isEmpty();

    RenderedChart chart =
        RenderedChart.render(
            NS,
            Map.of(
                "podMonitor.enabled", true,
                "grafanaDashboard.enabled", true,
                "watchNamespaces[0]", "team-a"));
    var monitor =
        (io.fabric8.kubernetes.api.model.GenericKubernetesResource)
            chart.ofKind("PodMonitor").getFirst();
    Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
    Map<String, String> selector =
        (Map<String, String>) ((Map<String, Object>) spec.get("selector")).get("matchLabels");
    Gateway gateway = new Gateway();
    gateway.getMetadata().setName("edge");
    gateway.getMetadata().setNamespace("team-a");
    assertThat(GatewayNames.labels(gateway)).containsAllEntriesOf(selector);
    assertThat(selector).containsKey("app.kubernetes.io/managed-by");
    assertThat(((Map<String, Object>) spec.get("namespaceSelector")).get("matchNames"))
        .isEqualTo(List.of("team-a"));
    Map<String, Object> endpoint =
        ((List<Map<String, Object>>) spec.get("podMetricsEndpoints")).getFirst();
    assertThat(endpoint).containsEntry("port", "http").containsEntry("path", "/q/metrics");
    assertThat(GatewayDeployments.METRICS_PORT_NAME).isEqualTo(endpoint.get("port"));

    var dashboard =
        (io.fabric8.kubernetes.api.model.ConfigMap) chart.ofKind("ConfigMap").getFirst();
    assertThat(dashboard.getMetadata().getLabels()).containsEntry("grafana_dashboard", "1");
    String json = dashboard.getData().get("gatehouse-overview.json");
    Map<String, Object> parsed = new KubernetesSerialization().unmarshal(json, Map.class);
    assertThat(parsed).containsEntry("uid", "gatehouse-overview");
    assertThat((List<?>) parsed.get("panels")).hasSizeGreaterThan(5);
  }

  static Stream<Arguments> badValues() {
    return Stream.of(
        Arguments.of(Map.of("replicaCount", "two"), "replicaCount", "integer"),
        Arguments.of(Map.of("replicaCount", 0), "replicaCount", "minimum"),
        Arguments.of(Map.of("http.port", -1), "http/port", "minimum"),
        Arguments.of(Map.of("http.port", 70000), "http/port", "maximum"),
        Arguments.of(Map.of("image.repository", ""), "image/repository", "minLength"),
        Arguments.of(Map.of("image.repository", "has space"), "image/repository", "pattern"),
        Arguments.of(Map.of("image.pullPolicy", "Sometimes"), "image/pullPolicy", "Always"),
        Arguments.of(
            Map.of("sidecarInjection.failurePolicy", "Maybe"),
            "sidecarInjection/failurePolicy",
            "Ignore"),
        Arguments.of(Map.of("image.tag", "v1 beta"), "image/tag", "pattern"),
        Arguments.of(Map.of("watchNamespaces[0]", "Team_A"), "watchNamespaces/0", "pattern"),
        Arguments.of(
            Map.of("database.url", "postgres://db:5432/gatehouse", "database.existingSecret", "s"),
            "database/url",
            "pattern"),
        Arguments.of(
            Map.of("database.url", "jdbc:postgresql://db:5432/gatehouse"),
            "database",
            "existingSecret"),
        Arguments.of(
            Map.of(
                "database.url", "jdbc:postgresql://db:5432/gatehouse",
                "database.existingSecret", "db",
                "postgresql.bundled.enabled", true),
            "database/url",
            "maxLength: got 35, want 0"),
        Arguments.of(Map.of("replicaCout", 2), "", "replicaCout"),
        Arguments.of(
            Map.of("leaderElection.leaseDurationSeconds", 6),
            "leaseDurationSeconds",
            "minimum: got 6, want 7"),
        Arguments.of(Map.of("resyncSeconds", 0), "resyncSeconds", "minimum: got 0, want 1"));
  }

  @ParameterizedTest
  @MethodSource("badValues")
  void valuesSchemaRefusesWithAMessageNamingTheField(
      Map<String, Object> values, String field, String complaint) {
    assertThatThrownBy(() -> RenderedChart.render(NS, values))
        .hasMessageContaining("values don't meet the specifications of the schema")
        .hasMessageContaining(field)
        .hasMessageContaining(complaint);
  }

  private static Map<String, EnvVar> env(Container container) {
    return container.getEnv().stream().collect(Collectors.toMap(EnvVar::getName, e -> e));
  }

  /** Verbs granted on {@code group/resource} by the rules, without resourceNames restrictions. */
  static List<String> verbs(List<PolicyRule> rules, String group, String resource) {
    return rules.stream()
        .filter(r -> r.getApiGroups().contains(group) && r.getResources().contains(resource))
        .flatMap(r -> r.getVerbs().stream())
        .toList();
  }

  private static List<String> fileNames(Path dir) throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      return files
          .map(p -> p.getFileName().toString())
          .filter(n -> n.endsWith(".yml") || n.endsWith(".yaml"))
          .sorted()
          .toList();
    }
  }

  private static void copyRepoCrdsIntoChart() throws IOException {
    Files.createDirectories(RenderedChart.CHART_CRDS);
    try (Stream<Path> stale = Files.list(RenderedChart.CHART_CRDS)) {
      for (Path file : stale.toList()) {
        Files.delete(file);
      }
    }
    for (String name : fileNames(RenderedChart.REPO_CRDS)) {
      Files.copy(
          RenderedChart.REPO_CRDS.resolve(name),
          RenderedChart.CHART_CRDS.resolve(name),
          StandardCopyOption.REPLACE_EXISTING);
    }
  }

  private static Container operatorContainer(RenderedChart chart) {
    return chart
        .get(Deployment.class, OPERATOR)
        .getSpec()
        .getTemplate()
        .getSpec()
        .getContainers()
        .getFirst();
  }
}
