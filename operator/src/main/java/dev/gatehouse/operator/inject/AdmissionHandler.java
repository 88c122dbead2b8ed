package dev.gatehouse.operator.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.StatusBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionRequest;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponse;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionResponseBuilder;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReview;
import io.fabric8.kubernetes.api.model.admission.v1.AdmissionReviewBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns an {@code AdmissionReview} request for a pod into the review answer, by way of {@link
 * SidecarInjector}. A request that is not a pod CREATE, or that cannot be read, is admitted
 * unchanged: the webhook must never be the reason an unrelated pod fails.
 */
public final class AdmissionHandler {
  private static final Logger LOG = LoggerFactory.getLogger(AdmissionHandler.class);

  private final SidecarInjector injector;
  private final KubernetesSerialization json = new KubernetesSerialization();

  public AdmissionHandler(SidecarInjector injector) {
    this.injector = injector;
  }

  /** The response body (an AdmissionReview, JSON) for a request body. */
  public String handle(String body) {
    AdmissionReview review = json.unmarshal(body, AdmissionReview.class);
    AdmissionRequest request = review.getRequest();
    AdmissionResponse response = respond(request);
    return json.asJson(
        new AdmissionReviewBuilder()
            .withApiVersion("admission.k8s.io/v1")
            .withKind("AdmissionReview")
            .withResponse(response)
            .build());
  }

  private AdmissionResponse respond(AdmissionRequest request) {
    AdmissionResponseBuilder r = new AdmissionResponseBuilder().withUid(request.getUid());
    if (!"CREATE".equals(request.getOperation()) || !(request.getObject() instanceof Pod pod)) {
      return r.withAllowed(true).build();
    }
    String namespace = request.getNamespace();
    String name = pod.getMetadata().getName() != null ? pod.getMetadata().getName() : "(generated)";
    return switch (injector.decide(pod, namespace)) {
      case SidecarInjector.Decision.Skip s -> r.withAllowed(true).build();
      case SidecarInjector.Decision.AlreadyInjected a -> r.withAllowed(true).build();
      case SidecarInjector.Decision.Refuse refuse -> {
        LOG.info("refused pod {}/{}: {}", namespace, name, refuse.message());
        yield r.withAllowed(false)
            .withStatus(
                new StatusBuilder()
                    .withCode(422)
                    .withReason("Invalid")
                    .withMessage(refuse.message())
                    .build())
            .build();
      }
      case SidecarInjector.Decision.Inject inject -> {
        LOG.info("injecting {} into pod {}/{}", SidecarInjector.CONTAINER, namespace, name);
        yield r.withAllowed(true)
            .withPatchType("JSONPatch")
            .withPatch(
                Base64.getEncoder()
                    .encodeToString(json.asJson(inject.patch()).getBytes(StandardCharsets.UTF_8)))
            .build();
      }
    };
  }
}
