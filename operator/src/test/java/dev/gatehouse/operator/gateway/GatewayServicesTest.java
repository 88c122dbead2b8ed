package dev.gatehouse.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import org.junit.jupiter.api.Test;

/** What gateway pods advertise besides their pod address: the Service's outside addresses. */
class GatewayServicesTest {

  @Test
  void aLoadBalancerServiceAdvertisesItsIngressAndTheNodePort() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 1);
    Service observed =
        observed(
            "LoadBalancer",
            31820,
            new LoadBalancerIngressBuilder().withIp("203.0.113.7").build(),
            new LoadBalancerIngressBuilder().withIp("2001:db8::7").build(),
            new LoadBalancerIngressBuilder().withHostname("gw.elb.example").build());

    ConfigMap map = GatewayServices.endpointsConfigMap(gateway, observed);

    assertThat(map.getMetadata().getName()).isEqualTo("edge-gateway-endpoints");
    assertThat(map.getMetadata().getOwnerReferences()).hasSize(1);
    assertThat(map.getData().get(GatewayServices.ENDPOINTS_KEY))
        .isEqualTo("203.0.113.7:51820\n[2001:db8::7]:51820\ngw.elb.example:51820\nnode:31820\n");
  }

  @Test
  void beforeTheLoadBalancerHasAnAddressOnlyTheNodePortIsAdvertised() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 1);
    assertThat(GatewayServices.advertised(gateway.getSpec(), observed("LoadBalancer", 31820)))
        .isEqualTo("node:31820\n");
    assertThat(GatewayServices.advertised(gateway.getSpec(), observed("ClusterIP", null)))
        .isEmpty();
    assertThat(GatewayServices.advertised(gateway.getSpec(), null)).isEmpty();
  }

  @Test
  void withSeveralReplicasNothingIsAdvertisedBecauseAServiceAddressReachesAnyOfThem() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    Service observed =
        observed(
            "LoadBalancer", 31820, new LoadBalancerIngressBuilder().withIp("203.0.113.7").build());
    assertThat(GatewayServices.advertised(gateway.getSpec(), observed))
        .startsWith("#")
        .doesNotContain("203.0.113.7");
  }

  private static Service observed(
      String type, Integer nodePort, io.fabric8.kubernetes.api.model.LoadBalancerIngress... in) {
    return new ServiceBuilder()
        .withNewSpec()
        .withType(type)
        .withClusterIP("10.96.0.20")
        .addNewPort()
        .withProtocol("UDP")
        .withPort(51820)
        .withNodePort(nodePort)
        .endPort()
        .endSpec()
        .withNewStatus()
        .withNewLoadBalancer()
        .withIngress(in)
        .endLoadBalancer()
        .endStatus()
        .build();
  }
}
