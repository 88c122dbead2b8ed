package dev.gatehouse.operator.resource;

import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.expose.ServiceExposure;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceStatus;
import dev.gatehouse.operator.model.ServiceRef;
import dev.gatehouse.operator.status.Conditions;
import dev.gatehouse.operator.status.Failures;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.Service;
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
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Validates a {@link Resource}, resolves its {@code serviceRef} to the Service's ClusterIP and
 * ports (following changes to that Service), and records which Gateways serve it.
 */
@ControllerConfiguration(name = "resource")
public class ResourceReconciler implements Reconciler<Resource>, Cleaner<Resource> {
  static final String SERVICE_INDEX = "gatehouse.dev/service-ref";
  static final String NAMESPACE_INDEX = "gatehouse.dev/namespace";

  private final ControlPlaneSync controlPlane;
  private final EventRecorder events;
  private final Clock clock;
  private InformerEventSource<Gateway, Resource> gateways;

  public ResourceReconciler(ControlPlaneSync controlPlane, EventRecorder events, Clock clock) {
    this.controlPlane = controlPlane;
    this.events = events;
    this.clock = clock;
  }

  @Override
  public List<EventSource<?, Resource>> prepareEventSources(EventSourceContext<Resource> context) {
    context
        .getPrimaryCache()
        .addIndexers(
            Map.of(
                SERVICE_INDEX, resource -> serviceKey(resource).map(List::of).orElse(List.of()),
                NAMESPACE_INDEX, resource -> List.of(resource.getMetadata().getNamespace())));
    InformerEventSource<Service, Resource> services =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Service.class, Resource.class)
                .withSecondaryToPrimaryMapper(
                    service ->
                        idsOf(
                            context
                                .getPrimaryCache()
                                .byIndex(
                                    SERVICE_INDEX,
                                    service.getMetadata().getNamespace()
                                        + "/"
                                        + service.getMetadata().getName())))
                .withPrimaryToSecondaryMapper(
                    (Resource resource) ->
                        serviceRef(resource)
                            .map(
                                ref ->
                                    Set.of(
                                        new ResourceID(ref.getName(), serviceNamespace(resource))))
                            .orElse(Set.of()))
                .build(),
            context);
    gateways =
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Gateway.class, Resource.class)
                .withSecondaryToPrimaryMapper(
                    gateway ->
                        idsOf(
                            context
                                .getPrimaryCache()
                                .byIndex(NAMESPACE_INDEX, gateway.getMetadata().getNamespace())))
                .withPrimaryToSecondaryMapper((Resource resource) -> Set.of())
                .build(),
            context);
    return List.of(services, gateways);
  }

  @Override
  public UpdateControl<Resource> reconcile(Resource resource, Context<Resource> context) {
    if (ServiceExposure.madeFromAService(resource)
        && !stillExposed(resource, context.getSecondaryResource(Service.class), context)) {
      context.getClient().resource(resource).delete();
      events.normal(resource, "Unexposed", "its Service is gone or no longer has the expose label");
      return UpdateControl.noUpdate();
    }
    List<String> problems = ResourceValidator.validate(resource.getSpec());
    ServiceResolution.Result resolution =
        problems.isEmpty()
            ? serviceRef(resource)
                .map(
                    ref ->
                        ServiceResolution.resolve(
                            ref,
                            serviceNamespace(resource),
                            context.getSecondaryResource(Service.class)))
                .orElse(null)
            : null;
    List<Gateway> inNamespace =
        gateways.list(resource.getMetadata().getNamespace(), gateway -> true).toList();
    List<String> serving = ServingGateways.select(resource.getSpec(), inNamespace);
    ResourceStatus status =
        ResourceStatusAggregator.aggregate(
            resource, problems, resolution, serving, clock.instant());
    boolean wasDegraded =
        resource.getStatus() != null
            && Conditions.isTrue(resource.getStatus().getConditions(), Conditions.DEGRADED);
    if (Conditions.isTrue(status.getConditions(), Conditions.DEGRADED) && !wasDegraded) {
      Conditions.find(status.getConditions(), Conditions.DEGRADED)
          .ifPresent(c -> events.warning(resource, c.getReason(), c.getMessage()));
    }
    if (Conditions.isTrue(status.getConditions(), Conditions.DEGRADED)) {
      controlPlane.removeResource(resource);
    } else {
      List<String> sites =
          inNamespace.stream()
              .filter(gateway -> serving.contains(gateway.getMetadata().getName()))
              .map(Gateway::siteName)
              .distinct()
              .sorted()
              .toList();
      controlPlane.upsertResource(resource, status.getAddresses(), sites);
      status.setControlPlaneId(controlPlane.idOf(resource));
    }
    if (status.equals(resource.getStatus())) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(status);
    return UpdateControl.patchStatus(resource);
  }

  @Override
  public ErrorStatusUpdateControl<Resource> updateErrorStatus(
      Resource resource, Context<Resource> context, Exception e) {
    Failures.Failure failure = Failures.describe(e);
    events.warning(resource, failure.reason(), failure.message());
    ResourceStatus status =
        ResourceStatusAggregator.aggregate(
            resource,
            List.of(),
            new ServiceResolution.Unresolved(failure.reason(), failure.message()),
            List.of(),
            clock.instant());
    resource.setStatus(status);
    return ErrorStatusUpdateControl.patchStatus(resource);
  }

  @Override
  public DeleteControl cleanup(Resource resource, Context<Resource> context) {
    controlPlane.removeResource(resource);
    return DeleteControl.defaultDelete();
  }

  /**
   * Whether the Service a Resource was made from still exposes it. The cache may lag behind the
   * label that just made the Resource, so a "no" from the cache is checked with the API server.
   */
  private static boolean stillExposed(
      Resource resource, Optional<Service> cached, Context<Resource> context) {
    if (cached.isPresent()
        && ServiceExposure.managedBy(resource, cached.get())
        && ServiceExposure.exposed(cached.get())) {
      return true;
    }
    Service live =
        context
            .getClient()
            .services()
            .inNamespace(resource.getMetadata().getNamespace())
            .withName(resource.getMetadata().getLabels().get(ServiceExposure.MANAGED_LABEL))
            .get();
    return live != null
        && ServiceExposure.managedBy(resource, live)
        && ServiceExposure.exposed(live);
  }

  private static Optional<ServiceRef> serviceRef(Resource resource) {
    return Optional.ofNullable(resource.getSpec()).map(spec -> spec.getServiceRef());
  }

  private static String serviceNamespace(Resource resource) {
    return serviceRef(resource)
        .map(ServiceRef::getNamespace)
        .orElse(resource.getMetadata().getNamespace());
  }

  private static Optional<String> serviceKey(Resource resource) {
    return serviceRef(resource).map(ref -> serviceNamespace(resource) + "/" + ref.getName());
  }

  private static Set<ResourceID> idsOf(List<Resource> resources) {
    return resources.stream().map(ResourceID::fromResource).collect(Collectors.toSet());
  }
}
