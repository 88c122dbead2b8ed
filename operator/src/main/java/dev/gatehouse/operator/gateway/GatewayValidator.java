package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.model.GatewayServiceSpec;
import dev.gatehouse.operator.model.GatewaySpec;
import dev.gatehouse.operator.model.PodOverrides;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@link GatewaySpec} with the same rules as the CRD schema, for API servers that do not
 * enforce it (and for tests). Problems name the field. Pure.
 */
public final class GatewayValidator {
  private GatewayValidator() {}

  public static List<String> validate(GatewaySpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      return problems;
    }
    if (spec.getReplicas() != null && (spec.getReplicas() < 1 || spec.getReplicas() > 100)) {
      problems.add("spec.replicas must be between 1 and 100, got " + spec.getReplicas());
    }
    if (spec.getSite() != null && !spec.getSite().matches("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")) {
      problems.add(
          "spec.site must be a DNS label (lowercase letters, digits, hyphens; at most 63), got '"
              + spec.getSite()
              + "'");
    }
    GatewayServiceSpec service = spec.getService();
    if (service != null) {
      if (service.getPort() != null && (service.getPort() < 1 || service.getPort() > 65535)) {
        problems.add("spec.service.port must be between 1 and 65535, got " + service.getPort());
      }
      if (service.getNodePort() != null
          && service.getType() == GatewayServiceSpec.ServiceType.ClusterIP) {
        problems.add("spec.service.nodePort needs spec.service.type NodePort or LoadBalancer");
      }
    }
    PodOverrides pod = spec.getPod();
    if (pod != null
        && pod.getDnsPolicy() == PodOverrides.DnsPolicy.None
        && (pod.getDnsConfig() == null
            || pod.getDnsConfig().getNameservers() == null
            || pod.getDnsConfig().getNameservers().isEmpty())) {
      problems.add(
          "spec.pod.dnsPolicy None needs spec.pod.dnsConfig.nameservers: the pod has no other");
    }
    if (spec.getControlPlaneUrl() != null && !spec.getControlPlaneUrl().matches("^wss?://\\S+$")) {
      problems.add("spec.controlPlaneUrl must start with wss:// or ws://");
    }
    return problems;
  }
}
