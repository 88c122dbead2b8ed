package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Conditions of a {@link Policy}; every one that is set must hold. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class PolicyConditions {
  /** An IPv4 or IPv6 CIDR, loosely; the operator parses it exactly. */
  static final String CIDR = "^[0-9a-fA-F:.]+/[0-9]{1,3}$";

  @JsonPropertyDescription(
      "Access only inside one of these weekly time windows. Empty: at any time.")
  @Size(max = 32)
  private List<TimeWindow> timeWindows;

  @JsonPropertyDescription(
      "Access only from client public IPs inside one of these CIDRs, e.g. 203.0.113.0/24.")
  @Size(max = 64)
  private List<@Size(max = 43) @Pattern(CIDR) String> clientCidrs;

  @JsonPropertyDescription("No access from client public IPs inside any of these CIDRs.")
  @Size(max = 64)
  private List<@Size(max = 43) @Pattern(CIDR) String> excludedClientCidrs;

  @JsonPropertyDescription("Access only from clients an admin has marked verified.")
  private Boolean requireVerifiedClient;

  public List<TimeWindow> getTimeWindows() {
    return timeWindows;
  }

  public void setTimeWindows(List<TimeWindow> timeWindows) {
    this.timeWindows = timeWindows;
  }

  public List<String> getClientCidrs() {
    return clientCidrs;
  }

  public void setClientCidrs(List<String> clientCidrs) {
    this.clientCidrs = clientCidrs;
  }

  public List<String> getExcludedClientCidrs() {
    return excludedClientCidrs;
  }

  public void setExcludedClientCidrs(List<String> excludedClientCidrs) {
    this.excludedClientCidrs = excludedClientCidrs;
  }

  public Boolean getRequireVerifiedClient() {
    return requireVerifiedClient;
  }

  public void setRequireVerifiedClient(Boolean requireVerifiedClient) {
    this.requireVerifiedClient = requireVerifiedClient;
  }
}
