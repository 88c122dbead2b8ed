package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Observed state of a {@link Gateway}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GatewayStatus extends ConditionedStatus {
  @JsonPropertyDescription("Gateway pods that are ready.")
  private Integer readyReplicas;

  @JsonPropertyDescription("Gateway pods connected to the control plane.")
  private Integer connectedReplicas;

  @JsonPropertyDescription(
      "Addresses (host:port) where clients reach the gateways, from the Service.")
  private List<String> endpoints = new ArrayList<>();

  @JsonPropertyDescription("Name of the Secret holding the gateway token.")
  private String tokenSecret;

  @JsonPropertyDescription(
      "SHA-256 (hex) of the gateway token the operator wrote into the token Secret. The operator"
          + " may create Secrets but never read one, so this is how it knows the token's hash;"
          + " deleting the Secret rotates the token.")
  private String tokenSha256;

  @JsonPropertyDescription("Id of the Gateway's site in the control plane, once synced.")
  private String siteId;

  public String getTokenSha256() {
    return tokenSha256;
  }

  public void setTokenSha256(String tokenSha256) {
    this.tokenSha256 = tokenSha256;
  }

  public String getSiteId() {
    return siteId;
  }

  public void setSiteId(String siteId) {
    this.siteId = siteId;
  }

  public Integer getReadyReplicas() {
    return readyReplicas;
  }

  public void setReadyReplicas(Integer readyReplicas) {
    this.readyReplicas = readyReplicas;
  }

  public Integer getConnectedReplicas() {
    return connectedReplicas;
  }

  public void setConnectedReplicas(Integer connectedReplicas) {
    this.connectedReplicas = connectedReplicas;
  }

  public List<String> getEndpoints() {
    return endpoints;
  }

  public void setEndpoints(List<String> endpoints) {
    this.endpoints = endpoints;
  }

  public String getTokenSecret() {
    return tokenSecret;
  }

  public void setTokenSecret(String tokenSecret) {
    this.tokenSecret = tokenSecret;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof GatewayStatus s
        && Objects.equals(getObservedGeneration(), s.getObservedGeneration())
        && Objects.equals(getConditions(), s.getConditions())
        && Objects.equals(readyReplicas, s.readyReplicas)
        && Objects.equals(connectedReplicas, s.connectedReplicas)
        && Objects.equals(endpoints, s.endpoints)
        && Objects.equals(tokenSecret, s.tokenSecret)
        && Objects.equals(tokenSha256, s.tokenSha256)
        && Objects.equals(siteId, s.siteId);
  }

  @Override
  public int hashCode() {
    return Objects.hash(getObservedGeneration(), readyReplicas, endpoints);
  }
}
