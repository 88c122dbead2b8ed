package dev.gatehouse.operator.inject;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class WorkloadTokensTest {
  static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

  final WorkloadTokens tokens = new WorkloadTokens(KEY);

  static Pod pod(String uid) {
    return new PodBuilder()
        .withNewMetadata()
        .withName("runner-7x2k")
        .withNamespace("ci")
        .withUid(uid)
        .addToAnnotations(SidecarInjector.IDENTITY, "runner")
        .addToAnnotations(SidecarInjector.TOKEN_SECRET, "gatehouse-client-abcdefghijkl")
        .endMetadata()
        .build();
  }

  @Test
  void aPodAlwaysGetsTheSameTokenAndNoOtherPodGetsIt() {
    String uid = "3f1c9a4e-5b7d-4e0f-9a51-6c2b8d7e1f00";

    assertThat(tokens.token(uid)).isEqualTo(new WorkloadTokens(KEY).token(uid)).startsWith("ghc_");
    assertThat(tokens.token(uid)).isNotEqualTo(tokens.token(uid.replace('0', '1')));
    byte[] otherKey = Arrays.copyOf(KEY, KEY.length);
    otherKey[0] ^= 1;
    assertThat(new WorkloadTokens(otherKey).token(uid)).isNotEqualTo(tokens.token(uid));
    assertThat(tokens.token(uid)).as("256 bits, base64url").hasSize(4 + 43);
    assertThat(WorkloadTokens.tokenId(uid)).isEqualTo(WorkloadTokens.tokenId(uid));
  }

  @Test
  void aShortKeyIsRefused() {
    assertThatThrownBy(() -> new WorkloadTokens(new byte[31]))
        .hasMessageContaining("at least 32 bytes");
  }

  @Test
  void thePodsSecretHoldsItsTokenAndGoesWithThePod() {
    Pod pod = pod("uid-1");

    Secret secret = tokens.secret(pod, "gatehouse-client-abcdefghijkl");

    assertThat(secret.getMetadata().getNamespace()).isEqualTo("ci");
    assertThat(secret.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            o -> {
              assertThat(o.getKind()).isEqualTo("Pod");
              assertThat(o.getUid()).isEqualTo("uid-1");
            });
    assertThat(
            new String(
                Base64.getDecoder().decode(secret.getData().get(SidecarInjector.TOKEN_KEY)),
                StandardCharsets.UTF_8))
        .isEqualTo(tokens.token("uid-1"));
    assertThat(secret.getMetadata().getAnnotations().toString()).doesNotContain("ghc_");
  }

  @Test
  void onlyAPodTheWebhookGaveATokenSecretHasAClaim() {
    assertThat(WorkloadTokens.claim(pod("u")))
        .contains(new WorkloadTokens.Claim("runner", "gatehouse-client-abcdefghijkl"));
    Pod elsewhere =
        new PodBuilder(pod("u"))
            .editMetadata()
            .addToAnnotations(SidecarInjector.TOKEN_SECRET, "database-password")
            .endMetadata()
            .build();
    assertThat(WorkloadTokens.claim(elsewhere))
        .as("a pod cannot point the operator at any Secret it likes")
        .isEmpty();
  }

  @Test
  void secretNamesAreValidAndDifferent() {
    SecureRandom random = new SecureRandom();
    String a = WorkloadTokens.newSecretName(random);

    assertThat(a).matches("gatehouse-client-[a-z2-7]{12}");
    assertThat(WorkloadTokens.newSecretName(random)).isNotEqualTo(a);
  }

  @Test
  void anIdentityIsAServiceAccountOfItsNamespace() {
    assertThat(WorkloadTokens.actorName("ci", "runner")).isEqualTo("k8s:ci/runner");
  }
}
