package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.Objects;

/** Observed state of a {@link Policy}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyStatus extends ConditionedStatus {
  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyStatus s
        && Objects.equals(getObservedGeneration(), s.getObservedGeneration())
        && Objects.equals(getConditions(), s.getConditions());
  }

  @Override
  public int hashCode() {
    return Objects.hash(getObservedGeneration());
  }
}
