package dev.gatehouse.operator.expose;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.resource.ResourceValidator;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ServiceExposureTest {

  private static Service service(Map<String, String> labels, Map<String, String> annotations) {
    return new ServiceBuilder()
        .withNewMetadata()
        .withName("db")
        .withNamespace("team")
        .withUid("0b5d7c4e-0000-4000-8000-000000000001")
        .withLabels(labels)
        .withAnnotations(annotations)
        .endMetadata()
        .withNewSpec()
        .addNewPort()
        .withPort(5432)
        .endPort()
        .addNewPort()
        .withPort(443)
        .withProtocol("TCP")
        .endPort()
        .addNewPort()
        .withPort(53)
        .withProtocol("UDP")
        .endPort()
        .addNewPort()
        .withPort(9)
        .withProtocol("SCTP")
        .endPort()
        .endSpec()
        .build();
  }

  @Test
  void anExposedServiceBecomesAValidResourceWithExactlyItsPorts() {
    Service service =
        service(
            Map.of("gatehouse.dev/expose", "true"),
            Map.of("gatehouse.dev/gateways", " edge, backup ,", "gatehouse.dev/description", "DB"));
    assertThat(ServiceExposure.exposed(service)).isTrue();
    Resource r = ServiceExposure.desired(service);
    assertThat(r.getMetadata().getName()).isEqualTo("db");
    assertThat(r.getMetadata().getNamespace()).isEqualTo("team");
    assertThat(r.getSpec().getServiceRef().getName()).isEqualTo("db");
    assertThat(r.getSpec().getGatewayRefs()).containsExactly("edge", "backup");
    assertThat(r.getSpec().getDescription()).isEqualTo("DB");
    assertThat(r.getSpec().getFilters())
        .extracting(f -> f.getProtocol() + " " + f.getPorts())
        .as("TCP is the default protocol; SCTP is not carried; ping is allowed")
        .containsExactly("TCP [443, 5432]", "UDP [53]", "ICMP null");
    assertThat(ResourceValidator.validate(r.getSpec())).isEmpty();
    assertThat(ServiceExposure.managedBy(r, service)).isTrue();
    assertThat(ServiceExposure.madeFromAService(r)).isTrue();
  }

  @Test
  void withoutTheLabelOrWithAnotherValueNothingIsExposed() {
    assertThat(ServiceExposure.exposed(service(null, null))).isFalse();
    assertThat(ServiceExposure.exposed(service(Map.of("gatehouse.dev/expose", "yes"), null)))
        .isFalse();
    Resource r = ServiceExposure.desired(service(Map.of("gatehouse.dev/expose", "true"), null));
    assertThat(r.getSpec().getGatewayRefs()).as("all of the namespace's Gateways").isNull();
    assertThat(r.getSpec().getDescription()).contains("gatehouse.dev/expose");
  }

  @Test
  void aResourceOfAnotherServiceOrAPersonIsNotManaged() {
    Service service = service(Map.of("gatehouse.dev/expose", "true"), null);
    Resource r = ServiceExposure.desired(service);
    Service recreated = service(Map.of("gatehouse.dev/expose", "true"), null);
    recreated.getMetadata().setUid("0b5d7c4e-0000-4000-8000-000000000002");
    assertThat(ServiceExposure.managedBy(r, recreated))
        .as("another Service of the same name")
        .isFalse();
    Resource mine = ServiceExposure.desired(service);
    mine.getMetadata().setLabels(null);
    assertThat(ServiceExposure.managedBy(mine, service)).isFalse();
    assertThat(ServiceExposure.madeFromAService(mine)).isFalse();
  }
}
