package dev.gatehouse.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.model.ResourceFilter;
import dev.gatehouse.operator.model.ResourceFilter.Protocol;
import dev.gatehouse.operator.model.ResourceSpec;
import dev.gatehouse.operator.model.ServiceRef;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceValidatorTest {
  @Test
  void acceptsAnAddressWithFilters() {
    ResourceSpec spec = address("10.0.0.0/24");
    spec.setFilters(
        List.of(
            new ResourceFilter(Protocol.TCP, List.of("22", "8000-8100")),
            new ResourceFilter(Protocol.ICMP, null)));
    assertThat(ResourceValidator.validate(spec)).isEmpty();
  }

  @Test
  void requiresExactlyOneOfAddressAndServiceRef() {
    ResourceSpec both = address("10.0.0.1");
    both.setServiceRef(new ServiceRef("web", null, null));
    assertThat(ResourceValidator.validate(both))
        .containsExactly("set exactly one of spec.address or spec.serviceRef");
    assertThat(ResourceValidator.validate(new ResourceSpec()))
        .containsExactly("set exactly one of spec.address or spec.serviceRef");
  }

  @Test
  void namesTheFilterAndPortThatIsWrong() {
    ResourceSpec spec = address("10.0.0.1");
    spec.setFilters(
        List.of(
            new ResourceFilter(Protocol.TCP, List.of("80", "9000-8000")),
            new ResourceFilter(Protocol.ICMP, List.of("7")),
            new ResourceFilter(Protocol.UDP, List.of("0"))));
    assertThat(ResourceValidator.validate(spec))
        .containsExactly(
            "spec.filters[0].ports[1]: port range 9000-8000 must lie in 1-65535 with start <= end",
            "spec.filters[1]: icmp filters take no ports: remove ports, or use protocol tcp or udp",
            "spec.filters[2].ports[0]: port range 0-0 must lie in 1-65535 with start <= end");
  }

  @Test
  void refusesBothGatewayRefsAndSelector() {
    ResourceSpec spec = address("db.internal");
    spec.setGatewayRefs(List.of("edge"));
    spec.setGatewaySelector(new LabelSelectorBuilder().addToMatchLabels("a", "b").build());
    assertThat(ResourceValidator.validate(spec))
        .containsExactly("set at most one of spec.gatewayRefs or spec.gatewaySelector");
  }

  private static ResourceSpec address(String address) {
    ResourceSpec spec = new ResourceSpec();
    spec.setAddress(address);
    return spec;
  }
}
