package dev.gatehouse.operator.inject;

import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The tokens of injected workloads, one per pod, pure. A pod's token is derived from the operator's
 * key and the pod's UID, so a reconcile that is retried after a crash (the Secret made, the row
 * not, or the other way round) arrives at the same token: the Secret and the database never
 * disagree, and the operator never has to read a Secret back.
 */
public final class WorkloadTokens {
  /** Client tokens start so ({@code AdminStore.CLIENT_TOKEN_PREFIX}). */
  static final String PREFIX = "ghc_";

  static final String SECRET_PREFIX = "gatehouse-client-";
  private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
  private static final byte[] LABEL =
      "gatehouse workload token v1".getBytes(StandardCharsets.UTF_8);

  private final SecretKeySpec key;

  /**
   * @param secret at least 32 bytes, the same on every operator replica; a key of its own is
   *     derived from it, so these tokens reveal nothing of it
   */
  public WorkloadTokens(byte[] secret) {
    if (secret.length < 32) {
      throw new IllegalArgumentException("the workload token key needs at least 32 bytes");
    }
    this.key =
        new SecretKeySpec(hmac(new SecretKeySpec(secret, "HmacSHA256"), LABEL), "HmacSHA256");
  }

  /** The token of the pod with this UID. */
  public String token(String podUid) {
    byte[] mac = hmac(key, podUid.getBytes(StandardCharsets.UTF_8));
    return PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(mac);
  }

  /** The control-plane id of the pod's token. */
  public static UUID tokenId(String podUid) {
    return UUID.nameUUIDFromBytes(("workload-token:" + podUid).getBytes(StandardCharsets.UTF_8));
  }

  /** The service account a workload identity is: {@code k8s:<namespace>/<identity>}. */
  public static String actorName(String namespace, String identity) {
    return "k8s:" + namespace + "/" + identity;
  }

  /** A new Secret name for a pod's token: the prefix and 12 random base-32 characters. */
  public static String newSecretName(SecureRandom random) {
    StringBuilder name = new StringBuilder(SECRET_PREFIX);
    for (int i = 0; i < 12; i++) {
      name.append(ALPHABET.charAt(random.nextInt(ALPHABET.length())));
    }
    return name.toString();
  }

  /** What the webhook put on an injected pod, if it did: its identity and its token Secret. */
  public record Claim(String identity, String secretName) {}

  public static Optional<Claim> claim(Pod pod) {
    Map<String, String> annotations = pod.getMetadata().getAnnotations();
    if (annotations == null) {
      return Optional.empty();
    }
    String identity = annotations.get(SidecarInjector.IDENTITY);
    String secret = annotations.get(SidecarInjector.TOKEN_SECRET);
    if (identity == null || secret == null || !secret.startsWith(SECRET_PREFIX)) {
      return Optional.empty();
    }
    return Optional.of(new Claim(identity, secret));
  }

  /** Whether the pod will not run again: its token has nothing more to do. */
  public static boolean finished(Pod pod) {
    String phase = pod.getStatus() == null ? null : pod.getStatus().getPhase();
    return "Succeeded".equals(phase) || "Failed".equals(phase);
  }

  /**
   * The Secret holding the pod's token, owned by the pod, so that it goes when the pod goes. Its
   * labels say whose it is; the token is in {@code data} only.
   */
  public Secret secret(Pod pod, String name) {
    return new SecretBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(pod.getMetadata().getNamespace())
        .addToLabels("app.kubernetes.io/managed-by", "gatehouse-operator")
        .addToLabels(SidecarInjector.WORKLOAD_LABEL, "true")
        .addToAnnotations("gatehouse.dev/pod", pod.getMetadata().getName())
        .withOwnerReferences(
            new OwnerReferenceBuilder()
                .withApiVersion("v1")
                .withKind("Pod")
                .withName(pod.getMetadata().getName())
                .withUid(pod.getMetadata().getUid())
                .build())
        .endMetadata()
        .withType("Opaque")
        .withData(
            Map.of(
                SidecarInjector.TOKEN_KEY,
                Base64.getEncoder()
                    .encodeToString(
                        token(pod.getMetadata().getUid()).getBytes(StandardCharsets.UTF_8))))
        .build();
  }

  private static byte[] hmac(SecretKeySpec key, byte[] data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(key);
      return mac.doFinal(data);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
    }
  }
}
