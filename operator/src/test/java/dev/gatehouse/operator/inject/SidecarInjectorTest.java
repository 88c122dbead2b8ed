package dev.gatehouse.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SidecarInjectorTest {

  static final InjectionSettings SETTINGS =
      new InjectionSettings(
          "client:test", "wss://api.gatehouse:8443", null, Set.of("kube-system", "gatehouse"));

  final SidecarInjector injector = new SidecarInjector(SETTINGS);

  static PodBuilder pod() {
    return new PodBuilder()
        .withNewMetadata()
        .withName("runner")
        .addToLabels(SidecarInjector.INJECT, "true")
        .addToAnnotations(SidecarInjector.IDENTITY, "runner-token")
        .endMetadata()
        .withNewSpec()
        .addNewContainer()
        .withName("app")
        .withImage("busybox")
        .endContainer()
        .endSpec();
  }

  /** The pod as the API server stores it after the decision's patch. */
  static Pod patched(Pod pod, SidecarInjector.Decision decision) {
    return dev.gatehouse.operator.TestFixtures.injected(pod, decision);
  }

  @Test
  void anOptedInPodGetsTheClientAsItsFirstNativeSidecarWithTheTokenFromItsSecret() {
    Pod pod =
        pod()
            .editSpec()
            .addNewInitContainer()
            .withName("migrate")
            .endInitContainer()
            .endSpec()
            .build();

    Pod out = patched(pod, injector.decide(pod, "ci"));

    Container sidecar = out.getSpec().getInitContainers().getFirst();
    assertThat(sidecar.getName()).isEqualTo(SidecarInjector.CONTAINER);
    assertThat(sidecar.getRestartPolicy()).isEqualTo("Always");
    assertThat(sidecar.getImage()).isEqualTo("client:test");
    assertThat(sidecar.getArgs())
        .containsSequence("--api", "wss://api.gatehouse:8443")
        .containsSequence("--token-file", "/var/run/secrets/gatehouse/token")
        .containsSequence("--health-port", Integer.toString(SidecarInjector.HEALTH_PORT));
    assertThat(sidecar.getStartupProbe().getHttpGet().getPath())
        .as("the app waits for the tunnel")
        .isEqualTo("/readyz");
    assertThat(sidecar.getStartupProbe().getHttpGet().getPort().getIntVal())
        .isEqualTo(SidecarInjector.HEALTH_PORT);
    assertThat(sidecar.getSecurityContext().getPrivileged()).isFalse();
    assertThat(sidecar.getSecurityContext().getCapabilities().getAdd())
        .containsExactly("NET_ADMIN");
    assertThat(sidecar.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(out.getSpec().getInitContainers().get(1).getName()).isEqualTo("migrate");
    assertThat(out.getSpec().getVolumes())
        .anySatisfy(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("runner-token"));
    assertThat(sidecar.getEnv()).as("the token is never in the pod spec").isEmpty();
    assertThat(out.getMetadata().getAnnotations())
        .containsEntry(SidecarInjector.INJECTED, SidecarInjector.CONTAINER);
    assertThat(out.getSpec().getContainers()).extracting(Container::getName).containsExactly("app");
  }

  @Test
  void withWorkloadTokensThePodMountsASecretOfItsOwnThatTheOperatorWillFill() {
    SidecarInjector perPod =
        SidecarInjector.withWorkloadTokens(SETTINGS, () -> "gatehouse-client-abcdefghijkl");
    Pod pod = pod().build();

    Pod out = patched(pod, perPod.decide(pod, "ci"));

    assertThat(out.getSpec().getVolumes())
        .filteredOn(v -> v.getSecret() != null)
        .extracting(v -> v.getSecret().getSecretName())
        .as("the identity is not a Secret here: only the pod's own is mounted")
        .containsExactly("gatehouse-client-abcdefghijkl");
    assertThat(out.getMetadata().getAnnotations())
        .containsEntry(SidecarInjector.TOKEN_SECRET, "gatehouse-client-abcdefghijkl")
        .containsEntry(SidecarInjector.IDENTITY, "runner-token");
    assertThat(out.getMetadata().getLabels())
        .containsEntry(SidecarInjector.WORKLOAD_LABEL, "true")
        .containsEntry(SidecarInjector.INJECT, "true");
    assertThat(WorkloadTokens.claim(out))
        .contains(new WorkloadTokens.Claim("runner-token", "gatehouse-client-abcdefghijkl"));
    assertThat(perPod.decide(out, "ci"))
        .as("reinvoked: the pod keeps the Secret it was given")
        .isInstanceOf(SidecarInjector.Decision.AlreadyInjected.class);
  }

  @Test
  void withWorkloadTokensAPodOptedInByItsNamespaceGetsItsLabelsMade() {
    Pod pod = pod().editMetadata().withLabels(null).endMetadata().build();

    Pod out =
        patched(
            pod,
            SidecarInjector.withWorkloadTokens(SETTINGS, () -> "gatehouse-client-x")
                .decide(pod, "ci"));

    assertThat(out.getMetadata().getLabels())
        .containsExactly(java.util.Map.entry(SidecarInjector.WORKLOAD_LABEL, "true"));
  }

  @Test
  void theSidecarExampleIsInjected() throws Exception {
    Pod example;
    try (var in =
        java.nio.file.Files.newInputStream(
            java.nio.file.Path.of("../examples/sidecar/ci-runner.yaml"))) {
      example = io.fabric8.kubernetes.client.utils.Serialization.unmarshal(in, Pod.class);
    }

    Pod out =
        patched(
            example,
            SidecarInjector.withWorkloadTokens(SETTINGS, () -> "gatehouse-client-example")
                .decide(example, example.getMetadata().getNamespace()));

    assertThat(out.getSpec().getInitContainers().getFirst().getName())
        .isEqualTo(SidecarInjector.CONTAINER);
    assertThat(WorkloadTokens.claim(out))
        .contains(new WorkloadTokens.Claim("ci-runner", "gatehouse-client-example"));
  }

  @Test
  void aPodThatHasTheSidecarInEitherFormIsLeftAlone() {
    Pod injected = patched(pod().build(), injector.decide(pod().build(), "ci"));
    Pod plain =
        pod()
            .editSpec()
            .addNewContainer()
            .withName(SidecarInjector.CONTAINER)
            .endContainer()
            .endSpec()
            .build();

    assertThat(injector.decide(injected, "ci"))
        .isInstanceOf(SidecarInjector.Decision.AlreadyInjected.class);
    assertThat(injector.decide(plain, "ci"))
        .isInstanceOf(SidecarInjector.Decision.AlreadyInjected.class);
  }

  @Test
  void excludedNamespacesAndOptedOutPodsAreSkipped() {
    Pod optedOut =
        pod().editMetadata().addToLabels(SidecarInjector.INJECT, "false").endMetadata().build();

    assertThat(injector.decide(pod().build(), "kube-system"))
        .isInstanceOf(SidecarInjector.Decision.Skip.class);
    assertThat(injector.decide(pod().build(), "gatehouse"))
        .isInstanceOf(SidecarInjector.Decision.Skip.class);
    assertThat(injector.decide(optedOut, "ci")).isInstanceOf(SidecarInjector.Decision.Skip.class);
  }

  @Test
  void aMissingOrMalformedIdentityIsRefusedNamingTheAnnotation() {
    Pod missing = pod().editMetadata().withAnnotations(null).endMetadata().build();
    Pod malformed =
        pod()
            .editMetadata()
            .addToAnnotations(SidecarInjector.IDENTITY, "Runner_Token")
            .endMetadata()
            .build();

    assertThat(injector.decide(missing, "ci"))
        .isInstanceOfSatisfying(
            SidecarInjector.Decision.Refuse.class,
            r -> assertThat(r.message()).contains("annotation gatehouse.dev/identity is required"));
    assertThat(injector.decide(malformed, "ci"))
        .isInstanceOfSatisfying(
            SidecarInjector.Decision.Refuse.class,
            r ->
                assertThat(r.message())
                    .contains("gatehouse.dev/identity")
                    .contains("'Runner_Token' is not a valid Secret name"));
  }

  @Test
  void aPodWithoutVolumesOrAnnotationsIsPatchedAtTheRightPaths() {
    Pod bare =
        new PodBuilder()
            .withNewMetadata()
            .withGenerateName("job-")
            .addToLabels(SidecarInjector.INJECT, "true")
            .addToAnnotations(SidecarInjector.IDENTITY, "t")
            .endMetadata()
            .withNewSpec()
            .addNewContainer()
            .withName("app")
            .endContainer()
            .endSpec()
            .build();

    Pod out = patched(bare, injector.decide(bare, "ci"));

    assertThat(out.getSpec().getVolumes()).hasSize(3);
    assertThat(out.getSpec().getInitContainers()).hasSize(1);
    var withCa =
        new SidecarInjector(new InjectionSettings("c", "wss://a", "api-ca", Set.of()))
            .decide(bare, "ci");
    assertThat(patched(bare, withCa).getSpec().getInitContainers().getFirst().getArgs())
        .containsSequence("--ca-file", "/etc/gatehouse/api-ca/ca.crt");
    assertThat(List.of(SidecarInjector.escape("gatehouse.dev/injected")))
        .containsExactly("gatehouse.dev~1injected");
  }
}
