package dev.gatehouse.operator.status;

import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Pure functions over Kubernetes-style conditions: {@code Ready}, {@code Progressing} and {@code
 * Degraded}, each {@code True}, {@code False} or {@code Unknown} with an observedGeneration.
 */
public final class Conditions {
  public static final String READY = "Ready";
  public static final String PROGRESSING = "Progressing";
  public static final String DEGRADED = "Degraded";

  public static final String TRUE = "True";
  public static final String FALSE = "False";
  public static final String UNKNOWN = "Unknown";

  private Conditions() {}

  /** A condition without a transition time; {@link #merge} stamps it. */
  public static Condition of(
      String type, boolean status, String reason, String message, Long generation) {
    return of(type, status ? TRUE : FALSE, reason, message, generation);
  }

  /** A condition with an explicit status word; {@link #merge} stamps the transition time. */
  public static Condition of(
      String type, String status, String reason, String message, Long generation) {
    return new ConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withReason(reason)
        .withMessage(message)
        .withObservedGeneration(generation)
        .build();
  }

  /**
   * The desired conditions, each carrying the {@code lastTransitionTime} of the previous condition
   * of its type when the status did not change, and {@code now} when it did.
   */
  public static List<Condition> merge(
      List<Condition> previous, List<Condition> desired, Instant now) {
    List<Condition> merged = new ArrayList<>(desired.size());
    String stamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
    for (Condition wanted : desired) {
      Optional<Condition> before = find(previous, wanted.getType());
      boolean unchanged =
          before.isPresent() && Objects.equals(before.get().getStatus(), wanted.getStatus());
      String transition = unchanged ? before.get().getLastTransitionTime() : stamp;
      merged.add(new ConditionBuilder(wanted).withLastTransitionTime(transition).build());
    }
    return merged;
  }

  /** The condition of the given type in a possibly null list. */
  public static Optional<Condition> find(List<Condition> conditions, String type) {
    return conditions == null
        ? Optional.empty()
        : conditions.stream().filter(c -> type.equals(c.getType())).findFirst();
  }

  /** Whether the condition of the given type is present and True. */
  public static boolean isTrue(List<Condition> conditions, String type) {
    return find(conditions, type).map(c -> TRUE.equals(c.getStatus())).orElse(false);
  }
}
