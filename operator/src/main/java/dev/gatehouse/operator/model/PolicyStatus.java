package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.Objects;

/** Observed state of a {@link Policy}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyStatus extends ConditionedStatus {
  @JsonPropertyDescription("Id of this object's row in the control plane, once synced.")
  private String controlPlaneId;

  public String getControlPlaneId() {
    return controlPlaneId;
  }

  public void setControlPlaneId(String controlPlaneId) {
    this.controlPlaneId = controlPlaneId;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PolicyStatus s
        && Objects.equals(getObservedGeneration(), s.getObservedGeneration())
        && Objects.equals(getConditions(), s.getConditions())
        && Objects.equals(controlPlaneId, s.controlPlaneId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(getObservedGeneration());
  }
}
