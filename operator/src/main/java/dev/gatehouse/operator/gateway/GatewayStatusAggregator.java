package dev.gatehouse.operator.gateway;

import static dev.gatehouse.operator.status.Conditions.DEGRADED;
import static dev.gatehouse.operator.status.Conditions.PROGRESSING;
import static dev.gatehouse.operator.status.Conditions.READY;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewayStatus;
import dev.gatehouse.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * Builds a {@link GatewayStatus} from what the cluster reports. Pure: the observed Deployment and
 * Service, the previous status and the time go in; the status comes out.
 */
public final class GatewayStatusAggregator {
  private GatewayStatusAggregator() {}

  /** The status of a Gateway whose owned objects were reconciled without error. */
  public static GatewayStatus aggregate(
      Gateway gateway, Optional<Deployment> deployment, Optional<Service> service, Instant now) {
    long generation = generation(gateway);
    int wanted = GatewayDeployments.replicas(gateway.getSpec());
    DeploymentStatus observed =
        deployment.map(Deployment::getStatus).orElseGet(DeploymentStatus::new);
    int ready = zeroIfNull(observed.getReadyReplicas());
    int updated = zeroIfNull(observed.getUpdatedReplicas());
    boolean deploymentCurrent =
        deployment.isPresent()
            && zeroIfNull(observed.getObservedGeneration())
                >= zeroIfNull(deployment.get().getMetadata().getGeneration());
    boolean allReady = deployment.isPresent() && ready >= wanted;
    boolean rolledOut = deploymentCurrent && updated >= wanted && allReady;
    Optional<DeploymentCondition> failure = failure(observed);

    String readyMessage = ready + "/" + wanted + " gateway pods ready";
    List<Condition> conditions =
        List.of(
            Conditions.of(
                READY,
                allReady,
                deployment.isEmpty()
                    ? "Creating"
                    : allReady ? "AllReplicasReady" : "ReplicasNotReady",
                readyMessage,
                generation),
            Conditions.of(
                PROGRESSING,
                !rolledOut && failure.isEmpty(),
                rolledOut ? "RolledOut" : failure.isPresent() ? "Stalled" : "RollingOut",
                rolledOut
                    ? "gateway pods match the spec"
                    : updated + "/" + wanted + " gateway pods updated",
                generation),
            Conditions.of(
                DEGRADED,
                failure.isPresent(),
                failure.map(DeploymentCondition::getReason).orElse("AsExpected"),
                failure.map(DeploymentCondition::getMessage).orElse("no problems seen"),
                generation));
    return status(gateway, conditions, ready, service, now);
  }

  /** The status of a Gateway whose reconciliation failed with the given message. */
  public static GatewayStatus failed(Gateway gateway, String reason, String message, Instant now) {
    long generation = generation(gateway);
    GatewayStatus previous = Optional.ofNullable(gateway.getStatus()).orElseGet(GatewayStatus::new);
    boolean wasReady = Conditions.isTrue(previous.getConditions(), READY);
    List<Condition> conditions =
        List.of(
            Conditions.of(
                READY,
                wasReady,
                wasReady ? "AllReplicasReady" : reason,
                wasReady ? "gateway pods still serve the previous spec" : message,
                generation),
            Conditions.of(PROGRESSING, false, reason, message, generation),
            Conditions.of(DEGRADED, true, reason, message, generation));
    GatewayStatus status =
        status(gateway, conditions, zeroIfNull(previous.getReadyReplicas()), Optional.empty(), now);
    status.setEndpoints(previous.getEndpoints());
    status.setSiteId(previous.getSiteId());
    status.setTokenSha256(previous.getTokenSha256());
    return status;
  }

  private static GatewayStatus status(
      Gateway gateway,
      List<Condition> conditions,
      int ready,
      Optional<Service> service,
      Instant now) {
    GatewayStatus previous = Optional.ofNullable(gateway.getStatus()).orElseGet(GatewayStatus::new);
    GatewayStatus status = new GatewayStatus();
    status.setObservedGeneration(generation(gateway));
    status.setConditions(Conditions.merge(previous.getConditions(), conditions, now));
    status.setReadyReplicas(ready);
    status.setConnectedReplicas(previous.getConnectedReplicas());
    status.setEndpoints(GatewayServices.endpoints(service.orElse(null)));
    status.setTokenSecret(GatewayNames.tokenSecretName(gateway));
    return status;
  }

  /** A Deployment condition that means the rollout cannot finish on its own. */
  private static Optional<DeploymentCondition> failure(DeploymentStatus status) {
    if (status.getConditions() == null) {
      return Optional.empty();
    }
    return status.getConditions().stream()
        .filter(
            c ->
                ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus()))
                    || ("Progressing".equals(c.getType())
                        && "False".equals(c.getStatus())
                        && "ProgressDeadlineExceeded".equals(c.getReason())))
        .findFirst();
  }

  private static long generation(Gateway gateway) {
    Long generation = gateway.getMetadata().getGeneration();
    return generation == null ? 0 : generation;
  }

  private static int zeroIfNull(Integer value) {
    return value == null ? 0 : value;
  }

  private static long zeroIfNull(Long value) {
    return value == null ? 0 : value;
  }
}
