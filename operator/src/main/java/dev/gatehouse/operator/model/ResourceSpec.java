package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.LabelSelector;
import java.util.List;

/** Desired state of a {@link Resource}. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "has(self.address) != has(self.serviceRef)",
    message = "set exactly one of spec.address or spec.serviceRef")
@ValidationRule(
    value = "!(has(self.gatewayRefs) && has(self.gatewaySelector))",
    message = "set at most one of spec.gatewayRefs or spec.gatewaySelector")
public class ResourceSpec {
  /** IPv4 address with an optional /0-32 prefix, in dotted decimal. */
  static final String IPV4 =
      "^((25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])[.]){3}"
          + "(25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])(/([0-9]|[12][0-9]|3[0-2]))?$";

  /** IPv6-looking text with an optional /0-128 prefix; the operator parses it exactly. */
  static final String IPV6 =
      "^[0-9a-fA-F:.]*:[0-9a-fA-F:.]*(/([0-9]|[1-9][0-9]|1[01][0-9]|12[0-8]))?$";

  /** A lowercase DNS name, optionally behind a '*.' (one label) or '**.' (any depth) wildcard. */
  static final String DNS =
      "^([*][*]?[.])?([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?[.])*[a-z]([-a-z0-9]{0,61}[a-z0-9])?$";

  @JsonPropertyDescription(
      "Where the resource is: an IPv4 or IPv6 address (10.0.0.5), a CIDR (10.0.0.0/24,"
          + " fd00::/64), a DNS name (db.internal), or a wildcard (*.example.com matches one"
          + " label, **.example.com any depth). Exactly one of address or serviceRef is set.")
  @Size(min = 1, max = 253)
  @ValidationRule(
      value =
          "self.matches('"
              + IPV4
              + "') || self.matches('"
              + IPV6
              + "') || self.matches('"
              + DNS
              + "')",
      message =
          "spec.address must be an IPv4 or IPv6 address, a CIDR such as 10.0.0.0/24, a lowercase"
              + " DNS name, or a wildcard such as *.example.com")
  private String address;

  @JsonPropertyDescription(
      "An in-cluster Service whose ClusterIP and ports become the resource's address."
          + " Exactly one of address or serviceRef is set.")
  private ServiceRef serviceRef;

  @JsonPropertyDescription(
      "Traffic allowed to the resource. Empty or absent: every protocol and port is allowed.")
  @Size(max = 16)
  private List<ResourceFilter> filters;

  @JsonPropertyDescription(
      "Names of the Gateways (in this namespace) that serve the resource. When neither"
          + " gatewayRefs nor gatewaySelector is set, every Gateway in the namespace serves it.")
  @Size(max = 64)
  private List<@Size(min = 1, max = 253) String> gatewayRefs;

  @JsonPropertyDescription("Label selector for the Gateways (in this namespace) that serve it.")
  private LabelSelector gatewaySelector;

  @JsonPropertyDescription("Free text shown to users next to the resource.")
  @Size(max = 1024)
  private String description;

  public String getAddress() {
    return address;
  }

  public void setAddress(String address) {
    this.address = address;
  }

  public ServiceRef getServiceRef() {
    return serviceRef;
  }

  public void setServiceRef(ServiceRef serviceRef) {
    this.serviceRef = serviceRef;
  }

  public List<ResourceFilter> getFilters() {
    return filters;
  }

  public void setFilters(List<ResourceFilter> filters) {
    this.filters = filters;
  }

  public List<String> getGatewayRefs() {
    return gatewayRefs;
  }

  public void setGatewayRefs(List<String> gatewayRefs) {
    this.gatewayRefs = gatewayRefs;
  }

  public LabelSelector getGatewaySelector() {
    return gatewaySelector;
  }

  public void setGatewaySelector(LabelSelector gatewaySelector) {
    this.gatewaySelector = gatewaySelector;
  }

  public String getDescription() {
    return description;
  }

  public void setDescription(String description) {
    this.description = description;
  }
}
