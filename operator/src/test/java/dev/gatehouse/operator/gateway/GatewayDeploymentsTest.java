package dev.gatehouse.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.PodOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GatewayDeploymentsTest {
  private final OperatorConfig config = OperatorConfig.forTests(true);

  @Test
  void kernelModeContainerHasOnlyNetAdminAndIsNeverPrivileged() {
    Container container =
        container(GatewayDeployments.desired(TestGateways.gateway("ns", "edge", 2), config));
    SecurityContext security = container.getSecurityContext();

    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getVolumeMounts())
        .anySatisfy(mount -> assertThat(mount.getMountPath()).isEqualTo("/dev/net/tun"));
  }

  @Test
  void podTurnsOnIpForwardingThroughASysctlUnlessTheGatewayOptsOut() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    assertThat(podSysctls(GatewayDeployments.desired(gateway, config)))
        .containsExactly(new Sysctl("net.ipv4.ip_forward", "1"));

    PodOverrides pod = new PodOverrides();
    assertThat(pod.getIpForwardSysctl()).as("the model's default").isTrue();
    pod.setIpForwardSysctl(null); // as read from an object written before the field existed
    gateway.getSpec().setPod(pod);
    assertThat(podSysctls(GatewayDeployments.desired(gateway, config)))
        .containsExactly(new Sysctl("net.ipv4.ip_forward", "1"));

    pod.setIpForwardSysctl(false);
    Deployment optedOut = GatewayDeployments.desired(gateway, config);
    assertThat(podSysctls(optedOut)).isEmpty();
    assertThat(new KubernetesSerialization().asYaml(optedOut)).doesNotContain("sysctls");
    assertThat(container(optedOut).getSecurityContext().getPrivileged()).isFalse();
  }

  @Test
  void dnsSettingsAndPriorityReachThePodOnlyWhenSet() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    var plain = GatewayDeployments.desired(gateway, config).getSpec().getTemplate().getSpec();
    assertThat(plain.getDnsPolicy()).as("Kubernetes' default applies").isNull();
    assertThat(plain.getDnsConfig()).isNull();
    assertThat(plain.getPriorityClassName()).isNull();

    PodOverrides pod = new PodOverrides();
    pod.setDnsPolicy(PodOverrides.DnsPolicy.None);
    pod.setDnsConfig(
        new io.fabric8.kubernetes.api.model.PodDNSConfigBuilder()
            .withNameservers("10.0.0.53")
            .withSearches("corp.example")
            .build());
    pod.setPriorityClassName("gatehouse-critical");
    gateway.getSpec().setPod(pod);
    var set = GatewayDeployments.desired(gateway, config).getSpec().getTemplate().getSpec();
    assertThat(set.getDnsPolicy()).isEqualTo("None");
    assertThat(set.getDnsConfig().getNameservers()).containsExactly("10.0.0.53");
    assertThat(set.getDnsConfig().getSearches()).containsExactly("corp.example");
    assertThat(set.getPriorityClassName()).isEqualTo("gatehouse-critical");
  }

  @Test
  void tokenComesFromTheSecretAndIdentityFromThePodUid() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    Map<String, EnvVar> env = envByName(container(GatewayDeployments.desired(gateway, config)));

    assertThat(env.get("GATEHOUSE_TOKEN").getValue()).isNull();
    assertThat(env.get("GATEHOUSE_TOKEN").getValueFrom().getSecretKeyRef().getName())
        .isEqualTo("edge-gateway-token");
    assertThat(env.get("GATEHOUSE_GATEWAY_ID").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("metadata.uid");
    assertThat(env.get("GATEHOUSE_SITE").getValue()).isEqualTo("edge");
    assertThat(env.get("GATEHOUSE_ENDPOINT").getValue()).isEqualTo("$(POD_IP):51820");
    assertThat(env.get("POD_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.podIP");
    assertThat(env.get("GATEHOUSE_API_URL").getValue()).isEqualTo(config.controlPlaneUrl());
  }

  @Test
  void theUdpSocketIsTheFfmOneUnlessTheGatewayAsksForNettys() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 1);
    assertThat(
            envByName(container(GatewayDeployments.desired(gateway, config)))
                .get("GATEHOUSE_UDP_SOCKET")
                .getValue())
        .isEqualTo("linux");
    PodOverrides pod = new PodOverrides();
    pod.setUdpSocket(PodOverrides.UdpSocket.NETTY);
    gateway.getSpec().setPod(pod);
    assertThat(
            envByName(container(GatewayDeployments.desired(gateway, config)))
                .get("GATEHOUSE_UDP_SOCKET")
                .getValue())
        .isEqualTo("netty");
  }

  @Test
  void theServiceAddressesAreMountedFromTheirConfigMapWhichMayNotExistYet() {
    Deployment deployment =
        GatewayDeployments.desired(TestGateways.gateway("ns", "edge", 1), config);
    Map<String, EnvVar> env = envByName(container(deployment));

    assertThat(env.get("GATEHOUSE_ENDPOINTS_FILE").getValue())
        .isEqualTo("/etc/gatehouse/paths/endpoints");
    assertThat(env.get("GATEHOUSE_NODE_IP").getValueFrom().getFieldRef().getFieldPath())
        .isEqualTo("status.hostIP");
    assertThat(deployment.getSpec().getTemplate().getSpec().getVolumes())
        .filteredOn(v -> v.getConfigMap() != null)
        .anySatisfy(
            v -> {
              assertThat(v.getConfigMap().getName()).isEqualTo("edge-gateway-endpoints");
              assertThat(v.getConfigMap().getOptional()).isTrue();
            });
    assertThat(container(deployment).getVolumeMounts())
        .anySatisfy(
            m -> {
              assertThat(m.getMountPath()).isEqualTo("/etc/gatehouse/paths");
              assertThat(m.getReadOnly()).isTrue();
            });
  }

  @Test
  void aCaConfigMapIsMountedAndNamedToTheGatewayOnlyWhenConfigured() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    Deployment plain = GatewayDeployments.desired(gateway, config);
    assertThat(envByName(container(plain))).doesNotContainKey("GATEHOUSE_API_CA_FILE");
    assertThat(plain.getSpec().getTemplate().getSpec().getVolumes())
        .extracting(v -> v.getName())
        .doesNotContain("api-ca");

    Deployment withCa =
        GatewayDeployments.desired(gateway, config.withGatewayApiCaConfigMap("gatehouse-api-ca"));
    assertThat(envByName(container(withCa)).get("GATEHOUSE_API_CA_FILE").getValue())
        .isEqualTo("/etc/gatehouse/api-ca/ca.crt");
    var volume =
        withCa.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getName().equals("api-ca"))
            .findFirst()
            .orElseThrow();
    assertThat(volume.getConfigMap().getName()).isEqualTo("gatehouse-api-ca");
    assertThat(volume.getConfigMap().getItems().getFirst().getKey()).isEqualTo("ca.crt");
    var mount =
        container(withCa).getVolumeMounts().stream()
            .filter(m -> m.getName().equals("api-ca"))
            .findFirst()
            .orElseThrow();
    assertThat(mount.getMountPath()).isEqualTo("/etc/gatehouse/api-ca");
    assertThat(mount.getReadOnly()).isTrue();
  }

  @Test
  void ownedByTheGatewayAsController() {
    Deployment deployment =
        GatewayDeployments.desired(TestGateways.gateway("ns", "edge", 2), config);
    OwnerReference owner = deployment.getMetadata().getOwnerReferences().getFirst();

    assertThat(owner.getController()).isTrue();
    assertThat(owner.getUid()).isEqualTo("uid-edge");
    assertThat(owner.getKind()).isEqualTo("Gateway");
    assertThat(deployment.getSpec().getSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/instance", "edge");
  }

  @Test
  void specFieldsAndPodOverridesReachTheTemplate() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 3);
    gateway.getSpec().setImage("registry.example/gw:1.2");
    gateway.getSpec().setSite("eu-west");
    PodOverrides pod = new PodOverrides();
    pod.setNodeSelector(Map.of("zone", "a"));
    pod.setResources(
        new ResourceRequirementsBuilder().addToLimits("memory", new Quantity("1Gi")).build());
    gateway.getSpec().setPod(pod);

    Deployment deployment = GatewayDeployments.desired(gateway, config);
    Container container = container(deployment);

    assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
    assertThat(container.getImage()).isEqualTo("registry.example/gw:1.2");
    assertThat(envByName(container).get("GATEHOUSE_SITE").getValue()).isEqualTo("eu-west");
    assertThat(deployment.getSpec().getTemplate().getSpec().getNodeSelector())
        .containsEntry("zone", "a");
    assertThat(container.getResources().getLimits()).containsEntry("memory", new Quantity("1Gi"));
  }

  @Test
  void desiredIsDeterministic() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    assertThat(GatewayDeployments.desired(gateway, config))
        .isEqualTo(GatewayDeployments.desired(gateway, config));
  }

  private static java.util.List<Sysctl> podSysctls(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getSecurityContext().getSysctls();
  }

  private static Container container(Deployment deployment) {
    return deployment.getSpec().getTemplate().getSpec().getContainers().getFirst();
  }

  private static Map<String, EnvVar> envByName(Container container) {
    return container.getEnv().stream()
        .collect(java.util.stream.Collectors.toMap(EnvVar::getName, e -> e));
  }
}
