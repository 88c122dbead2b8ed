package dev.gatehouse.operator.policy;

import static dev.gatehouse.operator.status.Conditions.DEGRADED;
import static dev.gatehouse.operator.status.Conditions.PROGRESSING;
import static dev.gatehouse.operator.status.Conditions.READY;

import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.PolicyStatus;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.status.Conditions;
import dev.gatehouse.operator.status.Failures;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.Condition;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Cleaner;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.DeleteControl;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/** Validates a {@link Policy} and its reference to a {@link Resource}, and reports status. */
@ControllerConfiguration(name = "policy")
public class PolicyReconciler implements Reconciler<Policy>, Cleaner<Policy> {
  static final String RESOURCE_INDEX = "gatehouse.dev/resource-ref";

  private final ControlPlaneSync controlPlane;
  private final EventRecorder events;
  private final Clock clock;

  public PolicyReconciler(ControlPlaneSync controlPlane, EventRecorder events, Clock clock) {
    this.controlPlane = controlPlane;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Policy>> prepareEventSources(EventSourceContext<Policy> context) {
    context
        .getPrimaryCache()
        .addIndexers(
            Map.of(RESOURCE_INDEX, policy -> resourceKey(policy).map(List::of).orElse(List.of())));
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Resource.class, Policy.class)
                .withSecondaryToPrimaryMapper(
                    resource ->
                        context
                            .getPrimaryCache()
                            .byIndex(
                                RESOURCE_INDEX,
                                resource.getMetadata().getNamespace()
                                    + "/"
                                    + resource.getMetadata().getName())
                            .stream()
                            .map(ResourceID::fromResource)
                            .collect(Collectors.toSet()))
                .withPrimaryToSecondaryMapper(
                    (Policy policy) ->
                        resourceName(policy)
                            .map(
                                name ->
                                    Set.of(
                                        new ResourceID(name, policy.getMetadata().getNamespace())))
                            .orElse(Set.of()))
                .build(),
            context));
  }

  @Override
  public UpdateControl<Policy> reconcile(Policy policy, Context<Policy> context) {
    Instant now = clock.instant();
    List<String> problems = PolicyValidator.validate(policy.getSpec());
    Optional<Resource> resource = context.getSecondaryResource(Resource.class);
    Optional<Instant> expiry =
        problems.isEmpty() ? PolicyValidator.expiry(policy.getSpec()) : Optional.empty();
    PolicyStatus status = status(policy, problems, resource.isPresent(), expiry, now);
    if (problems.isEmpty() && resource.isPresent()) {
      controlPlane.upsertPolicy(policy, resource.get());
      status.setControlPlaneId(controlPlane.idOf(policy));
    } else {
      controlPlane.removePolicy(policy);
    }
    if (!problems.isEmpty()
        && (policy.getStatus() == null
            || !Conditions.isTrue(policy.getStatus().getConditions(), DEGRADED))) {
      events.warning(policy, "Invalid", String.join("; ", problems));
    }
    UpdateControl<Policy> control;
    if (status.equals(policy.getStatus())) {
      control = UpdateControl.noUpdate();
    } else {
      policy.setStatus(status);
      control = UpdateControl.patchStatus(policy);
    }
    expiry
        .filter(at -> at.isAfter(now))
        .ifPresent(at -> control.rescheduleAfter(Duration.between(now, at).plusSeconds(1)));
    return control;
  }

  /** Pure: the status of a policy given validation, its resource's presence and the time. */
  static PolicyStatus status(
      Policy policy,
      List<String> problems,
      boolean resourceExists,
      Optional<Instant> expiry,
      Instant now) {
    Long generation = policy.getMetadata().getGeneration();
    String ref = resourceName(policy).orElse("?");
    String reason;
    String message;
    boolean degraded = false;
    if (!problems.isEmpty()) {
      reason = "Invalid";
      message = String.join("; ", problems);
      degraded = true;
    } else if (!resourceExists) {
      reason = "ResourceNotFound";
      message = "Resource " + policy.getMetadata().getNamespace() + "/" + ref + " does not exist";
      degraded = true;
    } else if (expiry.isPresent() && !expiry.get().isAfter(now)) {
      reason = "Expired";
      message = "the grant expired at " + expiry.get();
    } else {
      reason = "Granted";
      message = "group " + policy.getSpec().getGroup() + " may reach Resource " + ref;
    }
    boolean ready = "Granted".equals(reason);
    List<Condition> conditions =
        List.of(
            Conditions.of(READY, ready, reason, message, generation),
            Conditions.of(PROGRESSING, false, reason, message, generation),
            Conditions.of(
                DEGRADED, degraded, degraded ? reason : "AsExpected", message, generation));
    PolicyStatus status = new PolicyStatus();
    status.setObservedGeneration(generation);
    List<Condition> previous =
        Optional.ofNullable(policy.getStatus()).map(PolicyStatus::getConditions).orElse(null);
    status.setConditions(Conditions.merge(previous, conditions, now));
    return status;
  }

  @Override
  public ErrorStatusUpdateControl<Policy> updateErrorStatus(
      Policy policy, Context<Policy> context, Exception e) {
    Failures.Failure failure = Failures.describe(e);
    events.warning(policy, failure.reason(), failure.message());
    PolicyStatus status =
        status(policy, List.of(failure.message()), false, Optional.empty(), clock.instant());
    policy.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(policy);
  }

  @Override
  public DeleteControl cleanup(Policy policy, Context<Policy> context) {
    controlPlane.removePolicy(policy);
    return DeleteControl.defaultDelete();
  }

  private static Optional<String> resourceName(Policy policy) {
    return Optional.ofNullable(policy.getSpec())
        .map(spec -> spec.getResourceRef())
        .map(ref -> ref.getName());
  }

  private static Optional<String> resourceKey(Policy policy) {
    return resourceName(policy).map(name -> policy.getMetadata().getNamespace() + "/" + name);
  }
}
