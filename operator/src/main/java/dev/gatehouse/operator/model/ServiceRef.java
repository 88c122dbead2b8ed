package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;

/** A reference to a Kubernetes Service that a {@link Resource} stands for. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class ServiceRef {
  @JsonPropertyDescription("Name of the Service.")
  @Required
  @Size(min = 1, max = 63)
  @Pattern("^[a-z]([-a-z0-9]*[a-z0-9])?$")
  private String name;

  @JsonPropertyDescription("Namespace of the Service; defaults to the Resource's namespace.")
  @Size(min = 1, max = 63)
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  private String namespace;

  @JsonPropertyDescription(
      "Only this Service port (by number) is exposed; all of the Service's ports when unset.")
  @Min(1)
  @Max(65535)
  private Integer port;

  public ServiceRef() {}

  public ServiceRef(String name, String namespace, Integer port) {
    this.name = name;
    this.namespace = namespace;
    this.port = port;
  }

  public String getName() {
    return name;
  }

  public void setName(String name) {
    this.name = name;
  }

  public String getNamespace() {
    return namespace;
  }

  public void setNamespace(String namespace) {
    this.namespace = namespace;
  }

  public Integer getPort() {
    return port;
  }

  public void setPort(Integer port) {
    this.port = port;
  }
}
