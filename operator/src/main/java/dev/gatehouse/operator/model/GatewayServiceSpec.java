package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.Map;

/** The UDP Service in front of a {@link Gateway}'s pods. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "!has(self.nodePort) || self.type != 'ClusterIP'",
    message = "spec.service.nodePort needs spec.service.type NodePort or LoadBalancer")
public class GatewayServiceSpec {
  public static final int DEFAULT_PORT = 51820;

  @JsonPropertyDescription(
      "Service type: LoadBalancer (default), NodePort, or ClusterIP for in-cluster clients.")
  @Default("LoadBalancer")
  private ServiceType type = ServiceType.LoadBalancer;

  @JsonPropertyDescription("UDP port of the WireGuard listener, 1-65535. Default 51820.")
  @Default("51820")
  @Min(1)
  @Max(65535)
  private Integer port = DEFAULT_PORT;

  @JsonPropertyDescription("Fixed node port (30000-32767) for NodePort and LoadBalancer types.")
  @Min(30000)
  @Max(32767)
  private Integer nodePort;

  @JsonPropertyDescription(
      "Annotations for the Service, e.g. to select a cloud load balancer implementation.")
  private Map<String, String> annotations;

  /** Kubernetes Service types a gateway can be exposed with. */
  public enum ServiceType {
    LoadBalancer,
    NodePort,
    ClusterIP
  }

  public ServiceType getType() {
    return type;
  }

  public void setType(ServiceType type) {
    this.type = type;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }

  public Integer getNodePort() {
    return nodePort;
  }

  public void setNodePort(Integer nodePort) {
    this.nodePort = nodePort;
  }

  public Map<String, String> getAnnotations() {
    return annotations;
  }

  public void setAnnotations(Map<String, String> annotations) {
    this.annotations = annotations;
  }
}
