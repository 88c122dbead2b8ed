package dev.gatehouse.operator.inject;

import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.sync.ControlPlaneException;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.net.HttpURLConnection;
import java.util.Optional;
import java.util.UUID;

/**
 * Gives every injected pod a client token of its own, and takes it away when the pod is done.
 * Watches the pods the webhook labelled {@value SidecarInjector#WORKLOAD_LABEL} (and no others):
 *
 * <ul>
 *   <li>a pod that runs: its token is minted for the service account {@code
 *       k8s:<namespace>/<identity>} and written into the Secret the webhook named, owned by the
 *       pod; the kubelet starts the pod once that Secret is there;
 *   <li>a pod that finished, is being deleted or is gone: its token is revoked, which disconnects
 *       its client at once; the Secret goes with the pod (garbage collection).
 * </ul>
 *
 * No finalizer holds pods back: reconciling on every event ({@code triggerReconcilerOnAllEvents})
 * sees deletions, and {@link WorkloadTokenSweeper} revokes the tokens of pods that went while no
 * operator ran. The operator writes Secrets but never reads one.
 */
@ControllerConfiguration(
    name = "workload-tokens",
    triggerReconcilerOnAllEvents = true,
    // A pod finishing changes its status only, not its generation: every change must come in.
    generationAwareEventProcessing = false)
public class WorkloadTokenReconciler implements Reconciler<Pod> {
  /** The selector of the pods this reconciler watches. */
  public static final String SELECTOR = SidecarInjector.WORKLOAD_LABEL + "=true";

  private final WorkloadTokens tokens;
  private final WorkloadTokenStore store;
  private final EventRecorder events;

  public WorkloadTokenReconciler(
      WorkloadTokens tokens, WorkloadTokenStore store, EventRecorder events) {
    this.tokens = tokens;
    this.store = store;
    this.events = events;
  }

  @Override
  public UpdateControl<Pod> reconcile(Pod pod, Context<Pod> context) {
    Optional<WorkloadTokens.Claim> claim = WorkloadTokens.claim(pod);
    if (claim.isEmpty()) {
      return UpdateControl.noUpdate();
    }
    String uid = pod.getMetadata().getUid();
    UUID tokenId = WorkloadTokens.tokenId(uid);
    if (context.isPrimaryResourceDeleted()
        || pod.isMarkedForDeletion()
        || WorkloadTokens.finished(pod)) {
      store.revoke(tokenId);
      return UpdateControl.noUpdate();
    }
    String namespace = pod.getMetadata().getNamespace();
    String actor = WorkloadTokens.actorName(namespace, claim.get().identity());
    try {
      store.issue(actor, tokenId, tokens.token(uid), namespace + "/" + pod.getMetadata().getName());
    } catch (ControlPlaneException e) {
      events.warning(pod, "TokenNotIssued", e.getMessage() + ": " + rootMessage(e) + "; retrying");
      throw e;
    }
    try {
      context.getClient().resource(tokens.secret(pod, claim.get().secretName())).create();
      events.normal(
          pod,
          "TokenIssued",
          "minted a client token of its own for "
              + actor
              + " into Secret "
              + claim.get().secretName()
              + "; it is revoked when the pod finishes or goes");
    } catch (KubernetesClientException e) {
      if (e.getCode() != HttpURLConnection.HTTP_CONFLICT) {
        throw e;
      }
      // Made by an earlier reconcile: the same pod always gets the same token.
    }
    return UpdateControl.noUpdate();
  }

  private static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null) {
      root = root.getCause();
    }
    return String.valueOf(root.getMessage()).lines().findFirst().orElse("");
  }
}
