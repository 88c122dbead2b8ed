package dev.gatehouse.operator.resource;

import static dev.gatehouse.operator.status.Conditions.DEGRADED;
import static dev.gatehouse.operator.status.Conditions.PROGRESSING;
import static dev.gatehouse.operator.status.Conditions.READY;

import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceStatus;
import dev.gatehouse.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** Builds a {@link ResourceStatus} from validation, resolution and serving gateways. Pure. */
public final class ResourceStatusAggregator {
  private ResourceStatusAggregator() {}

  /**
   * @param problems validation problems; non-empty makes the resource invalid
   * @param resolution the resolved address, or why it is unresolved (null when not checked)
   * @param gateways names of the gateways that serve it
   */
  public static ResourceStatus aggregate(
      Resource resource,
      List<String> problems,
      ServiceResolution.Result resolution,
      List<String> gateways,
      Instant now) {
    Long generation = resource.getMetadata().getGeneration();
    ResourceStatus status = new ResourceStatus();
    status.setObservedGeneration(generation);
    status.setGateways(gateways);
    String reason;
    String message;
    boolean degraded;
    if (!problems.isEmpty()) {
      reason = "Invalid";
      message = String.join("; ", problems);
      degraded = true;
    } else if (resolution instanceof ServiceResolution.Unresolved unresolved) {
      reason = unresolved.reason();
      message = unresolved.message();
      degraded = true;
    } else {
      if (resolution instanceof ServiceResolution.Resolved resolved) {
        status.setAddresses(resolved.addresses());
        status.setPorts(resolved.ports());
      } else {
        status.setAddresses(List.of(resource.getSpec().getAddress()));
      }
      degraded = false;
      if (gateways.isEmpty()) {
        reason = "NoGateway";
        message = "no Gateway in namespace " + resource.getMetadata().getNamespace() + " serves it";
      } else {
        reason = "Served";
        message =
            "resolved to "
                + String.join(", ", status.getAddresses())
                + " and served by "
                + String.join(", ", gateways);
      }
    }
    boolean ready = !degraded && !gateways.isEmpty();
    List<Condition> conditions =
        List.of(
            Conditions.of(READY, ready, reason, message, generation),
            Conditions.of(PROGRESSING, false, ready ? "Served" : reason, message, generation),
            Conditions.of(
                DEGRADED, degraded, degraded ? reason : "AsExpected", message, generation));
    List<Condition> previous =
        Optional.ofNullable(resource.getStatus()).map(ResourceStatus::getConditions).orElse(null);
    status.setConditions(Conditions.merge(previous, conditions, now));
    return status;
  }
}
