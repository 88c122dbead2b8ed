package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Default;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** Desired state of a {@link Gateway}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.site) == has(oldSelf.site) && (!has(self.site) || self.site == oldSelf.site)",
    message =
        "spec.site is immutable: it ties the gateways to their site in the control plane;"
            + " create a new Gateway to serve another site")
public class GatewaySpec {
  public static final int DEFAULT_REPLICAS = 2;

  @JsonPropertyDescription(
      "Number of gateway pods. Clients are spread over them and fail over between them.")
  @Default("2")
  @Min(1)
  @Max(100)
  private Integer replicas = DEFAULT_REPLICAS;

  @JsonPropertyDescription(
      "Site (gateway group) these gateways join in the control plane; defaults to the Gateway's"
          + " name. Immutable.")
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  private String site;

  @JsonPropertyDescription(
      "Container image of the gateway (gateway-sidecar). Defaults to the image the operator was"
          + " released with.")
  @Size(min = 1, max = 512)
  private String image;

  @JsonPropertyDescription(
      "How the gateway moves packets: 'kernel' uses a TUN device and needs only the NET_ADMIN"
          + " capability. A 'userspace' mode without capabilities is planned.")
  @Default("kernel")
  private GatewayMode mode = GatewayMode.KERNEL;

  @JsonPropertyDescription("The UDP Service through which clients reach the gateways.")
  private GatewayServiceSpec service = new GatewayServiceSpec();

  @JsonPropertyDescription(
      "Scheduling and resource overrides for the gateway pods (resources, nodeSelector,"
          + " tolerations, affinity, topology spread).")
  private PodOverrides pod;

  @JsonPropertyDescription(
      "WebSocket URL of the control plane the gateways connect to (wss://… or ws://…). Defaults"
          + " to the operator's own API service.")
  @Pattern("^wss?://[^\\s]+$")
  @Size(max = 2048)
  private String controlPlaneUrl;

  public Integer getReplicas() {
    return replicas;
  }

  public void setReplicas(Integer replicas) {
    this.replicas = replicas;
  }

  public String getSite() {
    return site;
  }

  public void setSite(String site) {
    this.site = site;
  }

  public String getImage() {
    return image;
  }

  public void setImage(String image) {
    this.image = image;
  }

  public GatewayMode getMode() {
    return mode;
  }

  public void setMode(GatewayMode mode) {
    this.mode = mode;
  }

  public GatewayServiceSpec getService() {
    return service;
  }

  public void setService(GatewayServiceSpec service) {
    this.service = service;
  }

  public PodOverrides getPod() {
    return pod;
  }

  public void setPod(PodOverrides pod) {
    this.pod = pod;
  }

  public String getControlPlaneUrl() {
    return controlPlaneUrl;
  }

  public void setControlPlaneUrl(String controlPlaneUrl) {
    this.controlPlaneUrl = controlPlaneUrl;
  }
}
