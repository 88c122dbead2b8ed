package dev.gatehouse.operator.expose;

import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.model.Resource;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import java.util.List;
import java.util.Set;

/**
 * Keeps the {@link Resource} of every exposed Service ({@link ServiceExposure}) as the Service
 * says. It never touches a Resource of the same name that a person made: that one is reported as a
 * warning Event on the Service instead. The Resource goes with its Service (owner reference); when
 * only the label goes, the {@code ResourceReconciler} deletes it. Registered with the label
 * selector {@link ServiceExposure#SELECTOR}, so it sees exposed Services only.
 */
@ControllerConfiguration(name = "service-exposure")
public class ServiceExposureReconciler implements Reconciler<Service> {
  static final String FIELD_MANAGER = "gatehouse-operator-expose";

  private final EventRecorder events;
  private final boolean serverSideApply;

  public ServiceExposureReconciler(EventRecorder events, boolean serverSideApply) {
    this.events = events;
    this.serverSideApply = serverSideApply;
  }

  /** A made Resource that is deleted or changed by hand is put back at once. */
  @Override
  public List<EventSource<?, Service>> prepareEventSources(EventSourceContext<Service> context) {
    return List.of(
        new InformerEventSource<>(
            InformerEventSourceConfiguration.from(Resource.class, Service.class)
                .withLabelSelector(ServiceExposure.MANAGED_LABEL)
                .withSecondaryToPrimaryMapper(
                    resource ->
                        Set.of(
                            new ResourceID(
                                resource
                                    .getMetadata()
                                    .getLabels()
                                    .get(ServiceExposure.MANAGED_LABEL),
                                resource.getMetadata().getNamespace())))
                .build(),
            context));
  }

  @Override
  public UpdateControl<Service> reconcile(Service service, Context<Service> context) {
    if (!ServiceExposure.exposed(service)) {
      return UpdateControl.noUpdate();
    }
    KubernetesClient client = context.getClient();
    Resource desired = ServiceExposure.desired(service);
    Resource existing =
        client
            .resources(Resource.class)
            .inNamespace(service.getMetadata().getNamespace())
            .withName(service.getMetadata().getName())
            .get();
    if (existing != null && !ServiceExposure.managedBy(existing, service)) {
      events.warning(
          service,
          "ResourceNameTaken",
          "Resource "
              + service.getMetadata().getName()
              + " exists and was not made from this Service; it is left alone. Rename it, or"
              + " remove the "
              + ServiceExposure.EXPOSE_LABEL
              + " label");
      return UpdateControl.noUpdate();
    }
    if (existing != null && existing.isMarkedForDeletion()) {
      return UpdateControl.noUpdate(); // once it is gone, its delete event brings us back
    }
    if (existing == null && !exposedNow(client, service)) {
      return UpdateControl.noUpdate();
    }
    if (serverSideApply) {
      client.resource(desired).fieldManager(FIELD_MANAGER).forceConflicts().serverSideApply();
    } else if (existing == null) {
      client.resource(desired).create();
    } else {
      existing.setSpec(desired.getSpec());
      client.resource(existing).update();
    }
    if (existing == null) {
      events.normal(
          service,
          "Exposed",
          "made Resource "
              + service.getMetadata().getName()
              + "; a Policy naming it grants access");
    }
    return UpdateControl.noUpdate();
  }

  /**
   * Whether the API server (not this controller's cache, which may not have seen the label go yet)
   * still has this Service exposed: a Resource the ResourceReconciler just deleted for a removed
   * label must not be made again from a stale copy.
   */
  private static boolean exposedNow(KubernetesClient client, Service cached) {
    Service live =
        client
            .services()
            .inNamespace(cached.getMetadata().getNamespace())
            .withName(cached.getMetadata().getName())
            .get();
    return live != null
        && ServiceExposure.exposed(live)
        && live.getMetadata().getUid().equals(cached.getMetadata().getUid());
  }
}
