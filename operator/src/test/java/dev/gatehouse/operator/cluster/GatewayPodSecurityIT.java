package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.gateway.GatewayDeployments;
import dev.gatehouse.operator.inject.InjectionSettings;
import dev.gatehouse.operator.inject.SidecarInjector;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Which Pod Security Standard level a namespace needs for gateway pods (and injected client
 * sidecars), asked of a real kube-apiserver's PodSecurity admission: {@code privileged} admits
 * them; {@code baseline} and {@code restricted} refuse them, naming the three reasons (the {@code
 * /dev/net/tun} hostPath volume, the NET_ADMIN capability, the unsafe {@code net.ipv4.ip_forward}
 * sysctl). The README's "Pod Security" paragraph says the same.
 */
class GatewayPodSecurityIT {
  private static SharedTestKit.ApiServer apiServer;
  private static KubernetesClient admin;

  @BeforeAll
  static void start() {
    apiServer = SharedTestKit.ApiServer.start();
    admin = apiServer.client();
    for (String level : new String[] {"privileged", "baseline", "restricted"}) {
      admin
          .resource(
              new NamespaceBuilder()
                  .withNewMetadata()
                  .withName("pss-" + level)
                  .addToLabels("pod-security.kubernetes.io/enforce", level)
                  .addToLabels("pod-security.kubernetes.io/enforce-version", "latest")
                  .endMetadata()
                  .build())
          .serverSideApply();
    }
  }

  @AfterAll
  static void stop() {
    if (apiServer != null) {
      apiServer.close();
    }
  }

  @Test
  void gatewayPodsNeedThePrivilegedLevel() {
    assertThat(admin.resource(gatewayPod("pss-privileged")).dryRun().create()).isNotNull();

    for (String level : new String[] {"baseline", "restricted"}) {
      assertThatThrownBy(() -> admin.resource(gatewayPod("pss-" + level)).dryRun().create())
          .as("a gateway pod under enforce=" + level)
          .isInstanceOfSatisfying(
              KubernetesClientException.class,
              e -> {
                assertThat(e.getCode()).isEqualTo(403);
                assertThat(e.getMessage())
                    .contains("violates PodSecurity \"" + level + ":latest\"")
                    .contains("volume \"tun\"")
                    .contains("NET_ADMIN")
                    .contains("net.ipv4.ip_forward");
              });
    }
  }

  @Test
  void anInjectedPodNeedsThePrivilegedLevelToo() {
    Pod app =
        new PodBuilder()
            .withNewMetadata()
            .withName("injected")
            .addToAnnotations(SidecarInjector.IDENTITY, "t")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .withImage("busybox")
            .endContainer()
            .endSpec()
            .build();
    SidecarInjector injector =
        new SidecarInjector(new InjectionSettings("client:it", "wss://a", null, Set.of()));
    Pod injected = dev.gatehouse.operator.TestFixtures.injected(app, injector.decide(app, "x"));

    assertThat(admin.resource(inNamespace(injected, "pss-privileged")).dryRun().create())
        .isNotNull();
    assertThatThrownBy(
            () -> admin.resource(inNamespace(injected, "pss-baseline")).dryRun().create())
        .isInstanceOfSatisfying(
            KubernetesClientException.class, e -> assertThat(e.getMessage()).contains("NET_ADMIN"));
  }

  private static Pod inNamespace(Pod pod, String ns) {
    return new PodBuilder(pod).editMetadata().withNamespace(ns).endMetadata().build();
  }

  private static Pod gatewayPod(String ns) {
    PodTemplateSpec template =
        GatewayDeployments.desired(
                TestGateways.gateway(ns, "edge", 1), OperatorConfig.forTests(true))
            .getSpec()
            .getTemplate();
    return new PodBuilder()
        .withNewMetadata()
        .withName("edge-pss")
        .withNamespace(ns)
        .withLabels(template.getMetadata().getLabels())
        .endMetadata()
        .withSpec(template.getSpec())
        .build();
  }
}
