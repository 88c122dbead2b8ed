package dev.gatehouse.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.e2e.local.LabNetwork;
import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.gateway.GatewayTokens;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewaySpec;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The true path from a Gateway to running gateway processes, on a real control plane with the
 * controller manager: the operator makes the Deployment, the controller manager its ReplicaSet and
 * pods, the local kubelet runs them, and their readiness flows back into the Gateway's status.
 */
class LocalKubeletIT {
  private static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  private static final Duration TIMEOUT = Duration.ofSeconds(90);
  private static final String SELECTOR = "app.kubernetes.io/name=gatehouse-gateway";

  private static KubeControlPlane controlPlane;
  private static KubernetesClient client;
  private static Operator operator;

  @BeforeAll
  static void start() throws Exception {
    controlPlane = KubeControlPlane.start(REPO, Path.of("/var/tmp/gatehouse-e2e-kube"), 19443);
    client = controlPlane.client();
    try (Stream<Path> files = Files.list(REPO.resolve("crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          HasMetadata crd = client.getKubernetesSerialization().unmarshal(in);
          client.resource(crd).forceConflicts().serverSideApply();
        }
      }
    }
    await()
        .atMost(TIMEOUT)
        .ignoreExceptions()
        .until(() -> client.resources(Gateway.class).list() != null);
    operator =
        GatehouseOperator.create(
            client,
            OperatorConfig.forTests(true),
            ControlPlaneSync.DISCONNECTED,
            Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
    if (controlPlane != null) {
      controlPlane.close();
    }
  }

  @Test
  void podReadinessReachesTheGatewayStatus() throws Exception {
    AtomicBoolean ready = new AtomicBoolean(false);
    PodLauncher fake =
        launch ->
            new PodLauncher.Running() {
              @Override
              public String podIp() {
                return "10.244.9.9";
              }

              @Override
              public boolean ready() {
                return ready.get();
              }

              @Override
              public boolean alive() {
                return true;
              }

              @Override
              public void stop() {}
            };
    String ns = namespace("kubelet-fake");
    try (LocalKubelet kubelet = new LocalKubelet(client, fake).start(SELECTOR)) {
      client.resource(gateway(ns, "edge", 2)).create();
      await()
          .atMost(TIMEOUT)
          .until(
              () -> kubelet.running().keySet().stream().filter(k -> k.startsWith(ns)).count() == 2);
      assertThat(readyCondition(ns, "edge")).isEqualTo("False");

      ready.set(true);
      await().atMost(TIMEOUT).until(() -> "True".equals(readyCondition(ns, "edge")));
      assertThat(
              client
                  .resources(Gateway.class)
                  .inNamespace(ns)
                  .withName("edge")
                  .get()
                  .getStatus()
                  .getReadyReplicas())
          .isEqualTo(2);
      List<Pod> pods = client.pods().inNamespace(ns).withLabelSelector(SELECTOR).list().getItems();
      assertThat(pods).allSatisfy(p -> assertThat(p.getStatus().getPhase()).isEqualTo("Running"));
    }
  }

  @Test
  void gatewayPodsRunAsProcessesInTheirOwnNetworkNamespace() throws Exception {
    String ns = namespace("kubelet-netns");
    try (LabNetwork lab = LabNetwork.create(76, 18999);
        NetnsPodLauncher launcher =
            new NetnsPodLauncher(REPO, REPO.resolve("e2e/logs/kubelet"), lab);
        LocalKubelet kubelet = new LocalKubelet(client, launcher).start(SELECTOR)) {
      client.resource(gateway(ns, "edge", 1)).create();
      await()
          .atMost(TIMEOUT)
          .until(() -> kubelet.running().keySet().stream().anyMatch(k -> k.startsWith(ns)));
      PodLauncher.Running process =
          kubelet.running().entrySet().stream()
              .filter(e -> e.getKey().startsWith(ns))
              .findFirst()
              .orElseThrow()
              .getValue();
      assertThat(process.alive()).isTrue();

      Pod pod =
          client.pods().inNamespace(ns).withLabelSelector(SELECTOR).list().getItems().getFirst();
      long pid = Long.parseLong(process.toString().split(" ")[1]);
      String token =
          GatewayTokens.tokenOf(
                  client
                      .resources(Secret.class)
                      .inNamespace(ns)
                      .withName("edge-gateway-token")
                      .get())
              .orElseThrow();
      await()
          .atMost(TIMEOUT)
          .untilAsserted(
              () -> {
                String environ = javaEnviron(pid);
                assertThat(environ)
                    .contains("GATEHOUSE_TOKEN=" + token)
                    .contains("GATEHOUSE_GATEWAY_ID=" + pod.getMetadata().getUid())
                    .contains("GATEHOUSE_SITE=edge");
              });
      // Live but not ready: no API node to connect to yet, and the pod says so.
      await()
          .atMost(TIMEOUT)
          .until(
              () ->
                  NetnsPodLauncher.probe(
                      process.namespace(), "http://127.0.0.1:8080/q/health/live"));
      assertThat(process.ready()).isFalse();
      assertThat(readyCondition(ns, "edge")).isEqualTo("False");
      assertThat(
              client
                  .pods()
                  .inNamespace(ns)
                  .withName(pod.getMetadata().getName())
                  .get()
                  .getStatus()
                  .getPodIP())
          .startsWith(lab.podPrefix() + ".");
    }
  }

  /** The environment of the java process under {@code ip netns exec} (its child). */
  private static String javaEnviron(long pid) throws Exception {
    List<Long> candidates =
        Stream.concat(
                Stream.of(pid),
                ProcessHandle.of(pid).stream()
                    .flatMap(ProcessHandle::descendants)
                    .map(ProcessHandle::pid))
            .toList();
    StringBuilder all = new StringBuilder();
    for (long candidate : candidates) {
      Path environ = Path.of("/proc", Long.toString(candidate), "environ");
      if (Files.exists(environ)) {
        all.append(
            new String(Files.readAllBytes(environ), StandardCharsets.UTF_8).replace('\0', '\n'));
      }
    }
    return all.toString();
  }

  private static String namespace(String base) {
    String name = base + "-" + Long.toHexString(System.nanoTime() & 0xffffff);
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(name).endMetadata().build())
        .create();
    return name;
  }

  private static Gateway gateway(String ns, String name, int replicas) {
    Gateway gateway = new Gateway();
    gateway.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    GatewaySpec spec = new GatewaySpec();
    spec.setReplicas(replicas);
    gateway.setSpec(spec);
    return gateway;
  }

  private static String readyCondition(String ns, String name) {
    Gateway gateway = client.resources(Gateway.class).inNamespace(ns).withName(name).get();
    return gateway == null || gateway.getStatus() == null
        ? null
        : gateway.getStatus().condition("Ready").map(c -> c.getStatus()).orElse(null);
  }
}
