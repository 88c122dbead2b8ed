package dev.gatehouse.operator.gateway;

import static dev.gatehouse.operator.gateway.GatewayNames.HTTP_PORT;
import static dev.gatehouse.operator.gateway.GatewayNames.TOKEN_KEY;
import static dev.gatehouse.operator.gateway.GatewayNames.WIREGUARD_PORT_NAME;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewaySpec;
import dev.gatehouse.operator.model.PodOverrides;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.SecurityContext;
import io.fabric8.kubernetes.api.model.SecurityContextBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraint;
import io.fabric8.kubernetes.api.model.TopologySpreadConstraintBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The desired Deployment of a {@link Gateway}'s pods. Pure: the same Gateway and configuration
 * always give the same Deployment.
 *
 * <p>Kernel mode needs a TUN device and NET_ADMIN, nothing more: the container drops every other
 * capability, never runs privileged, cannot escalate, has a read-only root filesystem and the
 * runtime's default seccomp profile. Forwarding is turned on by the pod's {@code
 * net.ipv4.ip_forward} sysctl (its own network namespace only), which the kubelet must allow.
 */
public final class GatewayDeployments {
  static final String CONTAINER = "gateway";

  /**
   * The gateway container's port for health and Prometheus metrics ({@code /q/metrics}); the
   * chart's PodMonitor scrapes it by this name.
   */
  public static final String METRICS_PORT_NAME = "http";

  public static final String TUN_DEVICE = "/dev/net/tun";
  static final String IP_FORWARD_SYSCTL = "net.ipv4.ip_forward";

  /** Where gateways find the CA bundle of a private-CA control plane (see OperatorConfig). */
  static final String API_CA_VOLUME = "api-ca";

  static final String API_CA_DIR = "/etc/gatehouse/api-ca";
  static final String API_CA_KEY = "ca.crt";
  static final String PATHS_VOLUME = "paths";
  static final String PATHS_DIR = "/etc/gatehouse/paths";

  private GatewayDeployments() {}

  /**
   * Pod-template annotation with the start of the token's SHA-256: a rotated token (its Secret
   * deleted and written anew) changes it, which rolls the pods onto the new token.
   */
  public static final String TOKEN_ANNOTATION = "gatehouse.dev/token-sha256-prefix";

  public static Deployment desired(Gateway gateway, OperatorConfig config) {
    return desired(gateway, config, Optional.empty());
  }

  public static Deployment desired(
      Gateway gateway, OperatorConfig config, Optional<String> tokenSha256) {
    GatewaySpec spec = gateway.getSpec();
    PodOverrides pod = Optional.ofNullable(spec.getPod()).orElseGet(PodOverrides::new);
    Map<String, String> podLabels = new LinkedHashMap<>(GatewayNames.labels(gateway));
    Optional.ofNullable(pod.getLabels()).ifPresent(extra -> extra.forEach(podLabels::putIfAbsent));
    return new DeploymentBuilder()
        .withMetadata(GatewayNames.ownedMetadata(gateway, GatewayNames.workloadName(gateway)))
        .withNewSpec()
        .withReplicas(replicas(spec))
        .withSelector(
            new LabelSelectorBuilder()
                .withMatchLabels(GatewayNames.selectorLabels(gateway))
                .build())
        .withNewStrategy()
        .withType("RollingUpdate")
        .withNewRollingUpdate()
        .withMaxSurge(new IntOrString(1))
        .withMaxUnavailable(new IntOrString(0))
        .endRollingUpdate()
        .endStrategy()
        .withNewTemplate()
        .withNewMetadata()
        .withLabels(podLabels)
        .withAnnotations(podAnnotations(pod, tokenSha256))
        .endMetadata()
        .withSpec(podSpec(gateway, config, pod))
        .endTemplate()
        .endSpec()
        .build();
  }

  private static Map<String, String> podAnnotations(
      PodOverrides pod, Optional<String> tokenSha256) {
    Map<String, String> annotations =
        pod.getAnnotations() == null
            ? new LinkedHashMap<>()
            : new LinkedHashMap<>(pod.getAnnotations());
    tokenSha256.ifPresent(hash -> annotations.put(TOKEN_ANNOTATION, hash.substring(0, 12)));
    return annotations;
  }

  static int replicas(GatewaySpec spec) {
    return spec.getReplicas() == null ? GatewaySpec.DEFAULT_REPLICAS : spec.getReplicas();
  }

  private static PodSpec podSpec(Gateway gateway, OperatorConfig config, PodOverrides pod) {
    PodSpecBuilder spec =
        new PodSpecBuilder()
            .withServiceAccountName(GatewayNames.workloadName(gateway))
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withTerminationGracePeriodSeconds(15L)
            .withNewSecurityContext()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .withSysctls(sysctls(pod))
            .endSecurityContext()
            .withContainers(container(gateway, config, pod))
            .addNewVolume()
            .withName("tun")
            .withNewHostPath()
            .withPath(TUN_DEVICE)
            .withType("CharDevice")
            .endHostPath()
            .endVolume()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .withMedium("Memory")
            .endEmptyDir()
            .endVolume()
            // The Service's addresses, filled in by the operator once it has them: kubelet
            // updates the mounted file in place, so a new load-balancer address rolls nothing.
            .addNewVolume()
            .withName(PATHS_VOLUME)
            .withNewConfigMap()
            .withName(GatewayServices.endpointsConfigMapName(gateway))
            .withOptional(true)
            .endConfigMap()
            .endVolume()
            .withNodeSelector(pod.getNodeSelector())
            .withTolerations(pod.getTolerations())
            .withAffinity(pod.getAffinity())
            .withTopologySpreadConstraints(topologySpread(gateway, pod))
            .withDnsPolicy(pod.getDnsPolicy() == null ? null : pod.getDnsPolicy().name())
            .withDnsConfig(pod.getDnsConfig())
            .withPriorityClassName(pod.getPriorityClassName());
    if (config.gatewayApiCaConfigMap() != null) {
      spec.addNewVolume()
          .withName(API_CA_VOLUME)
          .withNewConfigMap()
          .withName(config.gatewayApiCaConfigMap())
          .addNewItem()
          .withKey(API_CA_KEY)
          .withPath(API_CA_KEY)
          .endItem()
          .endConfigMap()
          .endVolume();
    }
    return spec.build();
  }

  private static Container container(Gateway gateway, OperatorConfig config, PodOverrides pod) {
    GatewaySpec spec = gateway.getSpec();
    ContainerBuilder container =
        new ContainerBuilder()
            .withName(CONTAINER)
            .withImage(spec.getImage() != null ? spec.getImage() : config.gatewayImage())
            .withEnv(environment(gateway, config, pod))
            .addNewPort()
            .withName(WIREGUARD_PORT_NAME)
            .withContainerPort(GatewayServices.port(spec))
            .withProtocol("UDP")
            .endPort()
            .addNewPort()
            .withName(METRICS_PORT_NAME)
            .withContainerPort(HTTP_PORT)
            .withProtocol("TCP")
            .endPort()
            .withReadinessProbe(httpProbe("/q/health/ready", 5))
            .withLivenessProbe(httpProbe("/q/health/live", 10))
            .withResources(
                Optional.ofNullable(pod.getResources())
                    .orElseGet(GatewayDeployments::defaultResources))
            .withSecurityContext(securityContext())
            .addNewVolumeMount()
            .withName("tun")
            .withMountPath(TUN_DEVICE)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .addNewVolumeMount()
            .withName(PATHS_VOLUME)
            .withMountPath(PATHS_DIR)
            .withReadOnly(true)
            .endVolumeMount();
    if (config.gatewayApiCaConfigMap() != null) {
      container
          .addNewVolumeMount()
          .withName(API_CA_VOLUME)
          .withMountPath(API_CA_DIR)
          .withReadOnly(true)
          .endVolumeMount()
          .addToEnv(env("GATEHOUSE_API_CA_FILE", API_CA_DIR + "/" + API_CA_KEY));
    }
    return container.build();
  }

  /**
   * {@code net.ipv4.ip_forward=1} unless the Gateway opts out: the gateway forwards client packets
   * and cannot write a pod's read-only {@code /proc/sys} itself. An unsafe sysctl: a kubelet that
   * does not allow it rejects the pod with reason SysctlForbidden.
   */
  static List<Sysctl> sysctls(PodOverrides pod) {
    return Boolean.FALSE.equals(pod.getIpForwardSysctl())
        ? List.of()
        : List.of(new Sysctl(IP_FORWARD_SYSCTL, "1"));
  }

  /**
   * Kernel mode: NET_ADMIN for the TUN device and routes, nothing else. Never privileged. The
   * security context of a container that runs a tunnel: not privileged, no escalation, a read-only
   * root, every capability dropped but NET_ADMIN (for its TUN device), the runtime's default
   * seccomp profile. Gateway containers and injected client sidecars share it.
   */
  public static SecurityContext securityContext() {
    return new SecurityContextBuilder()
        .withPrivileged(false)
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .withAdd("NET_ADMIN")
        .endCapabilities()
        .withNewSeccompProfile()
        .withType("RuntimeDefault")
        .endSeccompProfile()
        .build();
  }

  private static List<EnvVar> environment(
      Gateway gateway, OperatorConfig config, PodOverrides pod) {
    GatewaySpec spec = gateway.getSpec();
    String url =
        spec.getControlPlaneUrl() != null ? spec.getControlPlaneUrl() : config.controlPlaneUrl();
    return List.of(
        env("GATEHOUSE_API_URL", url),
        new EnvVarBuilder()
            .withName("GATEHOUSE_TOKEN")
            .withNewValueFrom()
            .withNewSecretKeyRef()
            .withName(GatewayNames.tokenSecretName(gateway))
            .withKey(TOKEN_KEY)
            .endSecretKeyRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("GATEHOUSE_GATEWAY_ID")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("metadata.uid")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("POD_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.podIP")
            .endFieldRef()
            .endValueFrom()
            .build(),
        new EnvVarBuilder()
            .withName("GATEHOUSE_NODE_IP")
            .withNewValueFrom()
            .withNewFieldRef()
            .withFieldPath("status.hostIP")
            .endFieldRef()
            .endValueFrom()
            .build(),
        // Where clients reach this gateway: the pod address, and the Service's addresses that
        // the gateway reads from the mounted ConfigMap and advertises as further candidates.
        env("GATEHOUSE_ENDPOINT", "$(POD_IP):" + GatewayServices.port(spec)),
        env("GATEHOUSE_ENDPOINTS_FILE", PATHS_DIR + "/" + GatewayServices.ENDPOINTS_KEY),
        env("GATEHOUSE_SITE", gateway.siteName()),
        env("GATEHOUSE_MODE", "kernel"),
        env("GATEHOUSE_LISTEN_PORT", Integer.toString(GatewayServices.port(spec))),
        env("GATEHOUSE_UDP_SOCKET", udpSocket(pod)));
  }

  /** {@code spec.pod.udpSocket} as the gateway reads it; unset is the FFM socket. */
  static String udpSocket(PodOverrides pod) {
    return pod.getUdpSocket() == PodOverrides.UdpSocket.NETTY ? "netty" : "linux";
  }

  private static EnvVar env(String name, String value) {
    return new EnvVarBuilder().withName(name).withValue(value).build();
  }

  private static Probe httpProbe(String path, int periodSeconds) {
    return new ProbeBuilder()
        .withNewHttpGet()
        .withPath(path)
        .withPort(new IntOrString("http"))
        .endHttpGet()
        .withPeriodSeconds(periodSeconds)
        .withFailureThreshold(3)
        .build();
  }

  private static ResourceRequirements defaultResources() {
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", new Quantity("100m"))
        .addToRequests("memory", new Quantity("128Mi"))
        .addToLimits("memory", new Quantity("256Mi"))
        .build();
  }

  /** The user's constraints, or by default: prefer one gateway pod per node. */
  private static List<TopologySpreadConstraint> topologySpread(Gateway gateway, PodOverrides pod) {
    if (pod.getTopologySpreadConstraints() != null) {
      return pod.getTopologySpreadConstraints();
    }
    return List.of(
        new TopologySpreadConstraintBuilder()
            .withMaxSkew(1)
            .withTopologyKey("kubernetes.io/hostname")
            .withWhenUnsatisfiable("ScheduleAnyway")
            .withLabelSelector(
                new LabelSelectorBuilder()
                    .withMatchLabels(GatewayNames.selectorLabels(gateway))
                    .build())
            .build());
  }
}
