package dev.gatehouse.e2e.kubelet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodEnvironmentTest {
  private final Pod pod =
      new PodBuilder()
          .withNewMetadata()
          .withName("gw-0")
          .withNamespace("ns")
          .withUid("u-1")
          .endMetadata()
          .build();

  @Test
  void resolvesValuesSecretsFieldsAndReferences() {
    Container container =
        new ContainerBuilder()
            .addNewEnv()
            .withName("POD_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.podIP")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("NODE_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.hostIP")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("ENDPOINT")
            .withValue("$(POD_IP):51820")
            .endEnv()
            .addNewEnv()
            .withName("ID")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.uid")
            .endFieldRef()
            .endValueFrom()
            .endEnv()
            .addNewEnv()
            .withName("TOKEN")
            .withNewValueFrom()
            .withNewSecretKeyRef("token", "tok", false)
            .endValueFrom()
            .endEnv()
            .build();
    var secret = new SecretBuilder().addToData("token", "c2VjcmV0").build();

    Map<String, String> env =
        PodEnvironment.resolve(pod, container, (ns, name) -> secret, "10.244.0.7");

    assertThat(env)
        .containsEntry("ENDPOINT", "10.244.0.7:51820")
        .containsEntry("NODE_IP", "10.244.0.7")
        .containsEntry("ID", "u-1")
        .containsEntry("TOKEN", "secret");
  }

  @Test
  void aMissingSecretKeyNamesTheVariable() {
    Container container =
        new ContainerBuilder()
            .addNewEnv()
            .withName("TOKEN")
            .withNewValueFrom()
            .withNewSecretKeyRef("token", "tok", false)
            .endValueFrom()
            .endEnv()
            .build();
    assertThatThrownBy(() -> PodEnvironment.resolve(pod, container, (ns, name) -> null, "10.0.0.1"))
        .hasMessage("TOKEN: Secret ns/tok has no key token");
  }
}
