package dev.gatehouse.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.ResourceSpec;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServingGatewaysTest {
  private final Gateway eu = labelled("eu", Map.of("zone", "eu"));
  private final Gateway us = labelled("us", Map.of("zone", "us"));
  private final Gateway bare = TestGateways.gateway("ns", "bare", 1);

  @Test
  void everyGatewayServesWhenNothingIsNamed() {
    assertThat(ServingGateways.select(new ResourceSpec(), List.of(us, eu, bare)))
        .containsExactly("bare", "eu", "us");
  }

  @Test
  void namedGatewaysServe() {
    ResourceSpec spec = new ResourceSpec();
    spec.setGatewayRefs(List.of("eu", "missing"));
    assertThat(ServingGateways.select(spec, List.of(us, eu, bare))).containsExactly("eu");
  }

  @Test
  void selectorsUseKubernetesSemantics() {
    ResourceSpec spec = new ResourceSpec();
    spec.setGatewaySelector(new LabelSelectorBuilder().addToMatchLabels("zone", "eu").build());
    assertThat(ServingGateways.select(spec, List.of(us, eu, bare))).containsExactly("eu");

    spec.setGatewaySelector(
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("zone")
            .withOperator("NotIn")
            .withValues("eu")
            .endMatchExpression()
            .build());
    assertThat(ServingGateways.select(spec, List.of(us, eu, bare))).containsExactly("bare", "us");

    spec.setGatewaySelector(
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("zone")
            .withOperator("Exists")
            .endMatchExpression()
            .build());
    assertThat(ServingGateways.select(spec, List.of(us, eu, bare))).containsExactly("eu", "us");
  }

  private static Gateway labelled(String name, Map<String, String> labels) {
    Gateway gateway = TestGateways.gateway("ns", name, 1);
    gateway.getMetadata().setLabels(labels);
    return gateway;
  }
}
