package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** Desired state of a {@link Policy}: which group may reach which resource, and when. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicySpec {
  @JsonPropertyDescription("Name of the group of actors (people, service accounts) granted access.")
  @Required
  @Size(min = 1, max = 253)
  private String group;

  @JsonPropertyDescription("The Resource (in this namespace) the group may reach.")
  @Required
  private ResourceRef resourceRef;

  @JsonPropertyDescription("Conditions that must all hold when a client asks for access.")
  private PolicyConditions conditions;

  @JsonPropertyDescription(
      "When the grant ends (RFC 3339, e.g. 2026-12-31T18:00:00Z). Access already given stops"
          + " then too.")
  @Pattern(
      "^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})$")
  private String expiresAt;

  @JsonPropertyDescription("Free text explaining why the grant exists.")
  @Size(max = 1024)
  private String description;

  public String getGroup() {
    return group;
  }

  public void setGroup(String group) {
    this.group = group;
  }

  public ResourceRef getResourceRef() {
    return resourceRef;
  }

  public void setResourceRef(ResourceRef resourceRef) {
    this.resourceRef = resourceRef;
  }

  public PolicyConditions getConditions() {
    return conditions;
  }

  public void setConditions(PolicyConditions conditions) {
    this.conditions = conditions;
  }

  public String getExpiresAt() {
    return expiresAt;
  }

  public void setExpiresAt(String expiresAt) {
    this.expiresAt = expiresAt;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }
}
