package dev.gatehouse.operator.inject;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revokes the tokens of injected pods that went while no operator watched (a deletion the {@link
 * WorkloadTokenReconciler} never saw). Lists the labelled pods, then revokes every live workload
 * token issued before the list was taken whose pod is not in it: a token is minted only for a pod
 * the API server has, so one older than the list and not in it belongs to a pod that is gone.
 */
public final class WorkloadTokenSweeper {
  private static final Logger LOG = LoggerFactory.getLogger(WorkloadTokenSweeper.class);

  /** Clock skew allowed between the operator and the database. */
  static final Duration MARGIN = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final WorkloadTokenStore store;
  private final Set<String> namespaces;
  private final Clock clock;

  /**
   * @param namespaces the operator's namespaces; empty: all
   */
  public WorkloadTokenSweeper(
      KubernetesClient client, WorkloadTokenStore store, Set<String> namespaces, Clock clock) {
    this.client = client;
    this.store = store;
    this.namespaces = Set.copyOf(namespaces);
    this.clock = clock;
  }

  /** One sweep; returns how many tokens it revoked. */
  public int sweep() {
    Instant listed = clock.instant();
    Set<java.util.UUID> keep = new HashSet<>();
    for (Pod pod : pods()) {
      if (!WorkloadTokens.finished(pod)) {
        keep.add(WorkloadTokens.tokenId(pod.getMetadata().getUid()));
      }
    }
    int revoked = store.revokeAllExcept(keep, namespaces, listed.minus(MARGIN));
    if (revoked > 0) {
      LOG.info("revoked {} token(s) of injected pods that are gone", revoked);
    }
    return revoked;
  }

  private List<Pod> pods() {
    if (namespaces.isEmpty()) {
      return client
          .pods()
          .inAnyNamespace()
          .withLabel(SidecarInjector.WORKLOAD_LABEL, "true")
          .list()
          .getItems();
    }
    return namespaces.stream()
        .flatMap(
            ns ->
                client
                    .pods()
                    .inNamespace(ns)
                    .withLabel(SidecarInjector.WORKLOAD_LABEL, "true")
                    .list()
                    .getItems()
                    .stream())
        .toList();
  }
}
