package dev.gatehouse.operator.resource;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.model.ServiceRef;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ServiceResolutionTest {
  private final Service web =
      new ServiceBuilder()
          .withNewMetadata()
          .withName("web")
          .withNamespace("apps")
          .endMetadata()
          .withNewSpec()
          .withClusterIP("10.96.0.10")
          .withClusterIPs("10.96.0.10", "fd00:96::10")
          .addNewPort()
          .withPort(80)
          .withProtocol("TCP")
          .endPort()
          .addNewPort()
          .withPort(53)
          .withProtocol("UDP")
          .endPort()
          .endSpec()
          .build();

  @Test
  void resolvesToAllClusterIpsAndPorts() {
    assertThat(
            ServiceResolution.resolve(new ServiceRef("web", null, null), "apps", Optional.of(web)))
        .isEqualTo(
            new ServiceResolution.Resolved(
                List.of("10.96.0.10", "fd00:96::10"), List.of("tcp/80", "udp/53")));
  }

  @Test
  void aSelectedPortNarrowsThePorts() {
    assertThat(ServiceResolution.resolve(new ServiceRef("web", null, 53), "apps", Optional.of(web)))
        .isEqualTo(
            new ServiceResolution.Resolved(
                List.of("10.96.0.10", "fd00:96::10"), List.of("udp/53")));
    assertThat(
            ServiceResolution.resolve(new ServiceRef("web", null, 8080), "apps", Optional.of(web)))
        .isEqualTo(
            new ServiceResolution.Unresolved(
                "ServicePortNotFound", "Service apps/web has no port 8080"));
  }

  @Test
  void explainsMissingAndHeadlessServices() {
    assertThat(
            ServiceResolution.resolve(new ServiceRef("web", null, null), "apps", Optional.empty()))
        .isEqualTo(
            new ServiceResolution.Unresolved("ServiceNotFound", "Service apps/web does not exist"));
    Service headless =
        new ServiceBuilder(web)
            .editSpec()
            .withClusterIP("None")
            .withClusterIPs("None")
            .endSpec()
            .build();
    assertThat(
            ServiceResolution.resolve(
                new ServiceRef("web", null, null), "apps", Optional.of(headless)))
        .isInstanceOfSatisfying(
            ServiceResolution.Unresolved.class,
            u -> assertThat(u.reason()).isEqualTo("ServiceHasNoClusterIP"));
  }

  @Test
  void aSingleClusterIpWithoutTheClusterIpsListResolves() {
    Service legacy = new ServiceBuilder(web).editSpec().withClusterIPs(List.of()).endSpec().build();
    assertThat(
            ServiceResolution.resolve(new ServiceRef("web", null, 80), "apps", Optional.of(legacy)))
        .isEqualTo(new ServiceResolution.Resolved(List.of("10.96.0.10"), List.of("tcp/80")));
  }
}
