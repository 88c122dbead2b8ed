package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewayServiceSpec;
import dev.gatehouse.operator.model.GatewaySpec;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Desired Service, ServiceAccount and PodDisruptionBudget of a {@link Gateway}. Pure. */
public final class GatewayServices {
  private GatewayServices() {}

  static int port(GatewaySpec spec) {
    return Optional.ofNullable(spec.getService())
        .map(GatewayServiceSpec::getPort)
        .orElse(GatewayServiceSpec.DEFAULT_PORT);
  }

  /** The UDP Service clients send WireGuard packets to. */
  public static Service service(Gateway gateway) {
    GatewayServiceSpec spec =
        Optional.ofNullable(gateway.getSpec().getService()).orElseGet(GatewayServiceSpec::new);
    ObjectMeta metadata = GatewayNames.ownedMetadata(gateway, GatewayNames.workloadName(gateway));
    if (spec.getAnnotations() != null) {
      metadata.setAnnotations(new java.util.LinkedHashMap<>(spec.getAnnotations()));
    }
    ServicePort port =
        new ServicePortBuilder()
            .withName(GatewayNames.WIREGUARD_PORT_NAME)
            .withProtocol("UDP")
            .withPort(port(gateway.getSpec()))
            .withTargetPort(new IntOrString(GatewayNames.WIREGUARD_PORT_NAME))
            .withNodePort(
                spec.getType() == GatewayServiceSpec.ServiceType.ClusterIP
                    ? null
                    : spec.getNodePort())
            .build();
    return new ServiceBuilder()
        .withMetadata(metadata)
        .withNewSpec()
        .withType(spec.getType().name())
        .withSelector(GatewayNames.selectorLabels(gateway))
        .withPorts(port)
        .endSpec()
        .build();
  }

  /** The identity of gateway pods; it holds no Kubernetes permissions. */
  public static ServiceAccount serviceAccount(Gateway gateway) {
    return new ServiceAccountBuilder()
        .withMetadata(GatewayNames.ownedMetadata(gateway, GatewayNames.workloadName(gateway)))
        .withAutomountServiceAccountToken(false)
        .build();
  }

  /** Keeps all but one gateway pod up during voluntary disruptions; only with replicas > 1. */
  public static PodDisruptionBudget podDisruptionBudget(Gateway gateway) {
    return new PodDisruptionBudgetBuilder()
        .withMetadata(GatewayNames.ownedMetadata(gateway, GatewayNames.workloadName(gateway)))
        .withNewSpec()
        .withMaxUnavailable(new IntOrString(1))
        .withNewSelector()
        .withMatchLabels(GatewayNames.selectorLabels(gateway))
        .endSelector()
        .endSpec()
        .build();
  }

  /** The key of the advertised endpoints in their ConfigMap (and the file's name in the pod). */
  public static final String ENDPOINTS_KEY = "endpoints";

  /** In an endpoints line, the address of the node the reading pod runs on. */
  public static final String NODE_HOST = "node";

  public static String endpointsConfigMapName(Gateway gateway) {
    return GatewayNames.workloadName(gateway) + "-endpoints";
  }

  /**
   * The addresses gateway pods advertise to clients besides their pod address, one {@code
   * host:port} a line, from the observed Service: each load-balancer ingress at the Service port,
   * and {@code node:<nodePort>} (the pod's own node) for NodePort and LoadBalancer Services. Only
   * with one replica: a Service address reaches any replica, and a client's handshake with one
   * gateway's key fails at another, so with several the pods are reached on their pod address or
   * through a relay.
   */
  public static ConfigMap endpointsConfigMap(Gateway gateway, Service observed) {
    return new ConfigMapBuilder()
        .withMetadata(GatewayNames.ownedMetadata(gateway, endpointsConfigMapName(gateway)))
        .addToData(ENDPOINTS_KEY, advertised(gateway.getSpec(), observed))
        .build();
  }

  static String advertised(GatewaySpec spec, Service service) {
    if (GatewayDeployments.replicas(spec) > 1) {
      return "# several replicas: a Service address would reach any of them, none advertised\n";
    }
    StringBuilder lines = new StringBuilder();
    if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
      return lines.toString();
    }
    ServicePort port = service.getSpec().getPorts().getFirst();
    for (String host : ingressHosts(service)) {
      lines.append(hostPort(host, port.getPort())).append('\n');
    }
    if (port.getNodePort() != null && !"ClusterIP".equals(service.getSpec().getType())) {
      lines.append(NODE_HOST).append(':').append(port.getNodePort()).append('\n');
    }
    return lines.toString();
  }

  private static List<String> ingressHosts(Service service) {
    List<String> hosts = new ArrayList<>();
    if (service.getStatus() != null && service.getStatus().getLoadBalancer() != null) {
      List<LoadBalancerIngress> ingress = service.getStatus().getLoadBalancer().getIngress();
      if (ingress != null) {
        for (LoadBalancerIngress entry : ingress) {
          String host = entry.getIp() != null ? entry.getIp() : entry.getHostname();
          if (host != null) {
            hosts.add(host);
          }
        }
      }
    }
    return hosts;
  }

  /** Where clients reach the gateways, as host:port, from the observed Service. */
  public static List<String> endpoints(Service service) {
    List<String> endpoints = new ArrayList<>();
    if (service == null || service.getSpec() == null || service.getSpec().getPorts() == null) {
      return endpoints;
    }
    ServicePort port = service.getSpec().getPorts().getFirst();
    for (String host : ingressHosts(service)) {
      endpoints.add(hostPort(host, port.getPort()));
    }
    String clusterIp = service.getSpec().getClusterIP();
    if (endpoints.isEmpty() && clusterIp != null && !"None".equals(clusterIp)) {
      endpoints.add(hostPort(clusterIp, port.getPort()));
    }
    return endpoints;
  }

  private static String hostPort(String host, int port) {
    return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
  }
}
