package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** One kind of traffic allowed to a {@link Resource}: a protocol and, for tcp/udp, ports. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.protocol != 'icmp' || !has(self.ports) || size(self.ports) == 0",
    message = "icmp filters take no ports: remove ports, or use protocol tcp or udp")
@ValidationRule(
    value =
        "!has(self.ports) || self.ports.all(p, int(p.split('-')[0]) >= 1"
            + " && int(p.split('-')[size(p.split('-')) - 1]) <= 65535"
            + " && int(p.split('-')[0]) <= int(p.split('-')[size(p.split('-')) - 1]))",
    message =
        "ports must lie in 1-65535 and a range must start at or below its end, e.g. 443 or"
            + " 8000-8100")
public class ResourceFilter {
  @JsonPropertyDescription("Protocol: tcp, udp or icmp.")
  @Required
  private Protocol protocol;

  @JsonPropertyDescription(
      "Ports or port ranges for tcp and udp, e.g. [\"443\", \"8000-8100\"]; all ports when"
          + " empty. icmp takes none.")
  @Size(max = 32)
  private List<@Pattern("^[0-9]{1,5}(-[0-9]{1,5})?$") @Size(max = 11) String> ports;

  /** Protocols a filter can allow. */
  public enum Protocol {
    @JsonProperty("tcp")
    TCP,
    @JsonProperty("udp")
    UDP,
    @JsonProperty("icmp")
    ICMP
  }

  public ResourceFilter() {}

  public ResourceFilter(Protocol protocol, List<String> ports) {
    this.protocol = protocol;
    this.ports = ports;
  }

  public Protocol getProtocol() {
    return protocol;
  }

  public void setProtocol(Protocol protocol) {
    this.protocol = protocol;
  }

  public List<String> getPorts() {
    return ports;
  }

  public void setPorts(List<String> ports) {
    this.ports = ports;
  }
}
