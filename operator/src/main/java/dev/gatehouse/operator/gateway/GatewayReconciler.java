package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.gateway.GatewayDependents.DeploymentDependent;
import dev.gatehouse.operator.gateway.GatewayDependents.EndpointsConfigMapDependent;
import dev.gatehouse.operator.gateway.GatewayDependents.HasSeveralReplicas;
import dev.gatehouse.operator.gateway.GatewayDependents.PodDisruptionBudgetDependent;
import dev.gatehouse.operator.gateway.GatewayDependents.ServiceAccountDependent;
import dev.gatehouse.operator.gateway.GatewayDependents.ServiceDependent;
import dev.gatehouse.operator.gateway.GatewayDependents.TokenSecretDependent;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewayStatus;
import dev.gatehouse.operator.status.Failures;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import java.time.Clock;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Turns a {@link Gateway} into its ServiceAccount, token Secret, Deployment, UDP Service and (with
 * more than one replica) PodDisruptionBudget, then reports status. Order: workflow (the dependents)
 * → control-plane site → status.
 */
@ControllerConfiguration(name = "gateway")
@Workflow(
    dependents = {
      @Dependent(name = "service-account", type = ServiceAccountDependent.class),
      @Dependent(name = "token", type = TokenSecretDependent.class),
      @Dependent(
          name = "deployment",
          type = DeploymentDependent.class,
          dependsOn = {"service-account", "token"}),
      @Dependent(name = "service", type = ServiceDependent.class),
      @Dependent(
          name = "endpoints",
          type = EndpointsConfigMapDependent.class,
          dependsOn = {"service"}),
      @Dependent(
          name = "pdb",
          type = PodDisruptionBudgetDependent.class,
          reconcilePrecondition = HasSeveralReplicas.class)
    })
public class GatewayReconciler implements Reconciler<Gateway>, Cleaner<Gateway> {
  private final ControlPlaneSync controlPlane;
  private final EventRecorder events;
  private final Clock clock;

  public GatewayReconciler(ControlPlaneSync controlPlane, EventRecorder events, Clock clock) {
    this.controlPlane = controlPlane;
    this.events = events;
    this.clock = clock;
  }

  /** How often the CONNECTED column is refreshed from the API nodes' presence table. */
  static final Duration PRESENCE_REFRESH = Duration.ofSeconds(10);

  @Override
  public UpdateControl<Gateway> reconcile(Gateway gateway, Context<Gateway> context) {
    Optional<String> tokenSha256 =
        TokenSecretDependent.currentHash(gateway, context)
            .or(() -> controlPlane.tokenSha256(gateway));
    tokenSha256.ifPresent(hash -> controlPlane.upsertSite(gateway, HexFormat.of().parseHex(hash)));
    List<String> problems = GatewayValidator.validate(gateway.getSpec());
    GatewayStatus status;
    if (!problems.isEmpty()) {
      status =
          GatewayStatusAggregator.failed(
              gateway, "Invalid", String.join("; ", problems), clock.instant());
    } else if (tokenSha256.isEmpty() && controlPlane.connected()) {
      status =
          GatewayStatusAggregator.failed(
              gateway,
              "TokenUnknown",
              "Secret "
                  + GatewayNames.tokenSecretName(gateway)
                  + " exists but the operator does not know its token's hash (it never reads"
                  + " Secrets): delete the Secret and the operator writes a new token and rolls the"
                  + " gateway pods",
              clock.instant());
    } else {
      status =
          GatewayStatusAggregator.aggregate(
              gateway,
              context.getSecondaryResource(Deployment.class),
              context.getSecondaryResource(Service.class),
              clock.instant());
    }
    status.setSiteId(controlPlane.idOf(gateway));
    status.setTokenSha256(tokenSha256.orElse(null));
    OptionalInt connected = controlPlane.connectedGateways(gateway);
    status.setConnectedReplicas(connected.isPresent() ? connected.getAsInt() : null);
    // Gateways connect and disconnect without touching any Kubernetes object: look again soon.
    UpdateControl<Gateway> control;
    if (status.equals(gateway.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      gateway.setStatus(status);
      control = UpdateControl.patchStatus(gateway);
    }
    return controlPlane.connected() ? control.rescheduleAfter(PRESENCE_REFRESH) : control;
  }

  @Override
  public ErrorStatusUpdateControl<Gateway> updateErrorStatus(
      Gateway gateway, Context<Gateway> context, Exception e) {
    Failures.Failure failure = Failures.describe(e);
    events.warning(gateway, failure.reason(), failure.message());
    gateway.setStatus(
        GatewayStatusAggregator.failed(
            gateway, failure.reason(), failure.message(), clock.instant()));
    return ErrorStatusUpdateControl.patchStatus(gateway);
  }

  @Override
  public DeleteControl cleanup(Gateway gateway, Context<Gateway> context) {
    boolean lastOfSite =
        context
            .getPrimaryCache()
            .list(
                other ->
                    other.getMetadata().getNamespace().equals(gateway.getMetadata().getNamespace())
                        && other.siteName().equals(gateway.siteName())
                        && !other.getMetadata().getUid().equals(gateway.getMetadata().getUid())
                        && other.getMetadata().getDeletionTimestamp() == null)
            .findAny()
            .isEmpty();
    controlPlane.removeSite(gateway, lastOfSite);
    return DeleteControl.defaultDelete();
  }
}
