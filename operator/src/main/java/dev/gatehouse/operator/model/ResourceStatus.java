package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed state of a {@link Resource}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ResourceStatus extends ConditionedStatus {
  @JsonPropertyDescription("Id of this object's row in the control plane, once synced.")
  private String controlPlaneId;

  public String getControlPlaneId() {
    return controlPlaneId;
  }

  public void setControlPlaneId(String controlPlaneId) {
    this.controlPlaneId = controlPlaneId;
  }

  @JsonPropertyDescription("Addresses the resource resolved to (a Service's ClusterIPs).")
  private List<String> addresses = new ArrayList<>();

  @JsonPropertyDescription("Ports that are reachable, as protocol/port, e.g. tcp/8080.")
  private List<String> ports = new ArrayList<>();

  @JsonPropertyDescription("Gateways that serve this resource.")
  private List<String> gateways = new ArrayList<>();

  public List<String> getAddresses() {
    return addresses;
  }

  public void setAddresses(List<String> addresses) {
    this.addresses = addresses;
  }

  public List<String> getPorts() {
    return ports;
  }

  public void setPorts(List<String> ports) {
    this.ports = ports;
  }

  public List<String> getGateways() {
    return gateways;
  }

  public void setGateways(List<String> gateways) {
    this.gateways = gateways;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ResourceStatus s
        && Objects.equals(getObservedGeneration(), s.getObservedGeneration())
        && Objects.equals(getConditions(), s.getConditions())
        && Objects.equals(controlPlaneId, s.controlPlaneId)
        && Objects.equals(addresses, s.addresses)
        && Objects.equals(ports, s.ports)
        && Objects.equals(gateways, s.gateways);
  }

  @Override
  public int hashCode() {
    return Objects.hash(getObservedGeneration(), addresses, ports, gateways);
  }
}
