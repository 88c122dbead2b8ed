package dev.gatehouse.operator.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.controlplane.cache.Filters;
import dev.gatehouse.operator.model.ResourceFilter;
import dev.gatehouse.operator.model.ResourceFilter.Protocol;
import dev.gatehouse.operator.model.ResourceSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class ResourceRowTest {
  @Test
  void addressesBecomeTypedCanonicalRows() {
    ResourceSpec spec = new ResourceSpec();
    assertThat(ResourceRow.of(spec, List.of("10.0.0.7")))
        .isEqualTo(new ResourceRow("ip", "10.0.0.7", "[]"));
    assertThat(ResourceRow.of(spec, List.of("10.0.0.7/24")))
        .isEqualTo(new ResourceRow("cidr", "10.0.0.0/24", "[]"));
    assertThat(ResourceRow.of(spec, List.of("*.Example.com")))
        .isEqualTo(new ResourceRow("dns", "*.example.com", "[]"));
    assertThat(ResourceRow.of(spec, List.of("fd00::1", "10.0.0.1")).address()).isEqualTo("fd00::1");
    assertThatThrownBy(() -> ResourceRow.of(spec, List.of())).hasMessageContaining("not resolved");
  }

  @Test
  void filtersAreTheControlPlanesJson() {
    ResourceSpec spec = new ResourceSpec();
    spec.setFilters(
        List.of(
            new ResourceFilter(Protocol.TCP, List.of("443", "8000-8100")),
            new ResourceFilter(Protocol.ICMP, null)));

    String json = ResourceRow.of(spec, List.of("10.0.0.7")).filtersJson();

    assertThat(json)
        .isEqualTo(
            "[{\"protocol\":\"tcp\",\"ports\":[\"443\",\"8000-8100\"]},{\"protocol\":\"icmp\"}]");
    assertThat(Filters.parse(json)).as("the control plane parses them").hasSize(3);
  }
}
