package dev.gatehouse.operator.resource;

import dev.gatehouse.operator.model.ServiceRef;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/** Resolves a {@link ServiceRef} against the observed Service. Pure. */
public final class ServiceResolution {
  private ServiceResolution() {}

  /** What a reference resolved to, or why it did not. */
  public sealed interface Result {}

  /** The Service's cluster IPs and its (selected) ports as {@code protocol/port}. */
  public record Resolved(List<String> addresses, List<String> ports) implements Result {}

  /** A reason word for the condition and a message a person can act on. */
  public record Unresolved(String reason, String message) implements Result {}

  public static Result resolve(ServiceRef ref, String namespace, Optional<Service> observed) {
    String where = namespace + "/" + ref.getName();
    if (observed.isEmpty()) {
      return new Unresolved("ServiceNotFound", "Service " + where + " does not exist");
    }
    Service service = observed.get();
    List<String> addresses = clusterIps(service);
    if (addresses.isEmpty()) {
      return new Unresolved(
          "ServiceHasNoClusterIP",
          "Service "
              + where
              + " has no ClusterIP (headless or ExternalName); reference a Service"
              + " with a ClusterIP, or use spec.address");
    }
    List<String> ports = new ArrayList<>();
    List<ServicePort> servicePorts =
        service.getSpec().getPorts() == null ? List.of() : service.getSpec().getPorts();
    for (ServicePort port : servicePorts) {
      if (ref.getPort() == null || ref.getPort().equals(port.getPort())) {
        String protocol = port.getProtocol() == null ? "TCP" : port.getProtocol();
        ports.add(protocol.toLowerCase(Locale.ROOT) + "/" + port.getPort());
      }
    }
    if (ref.getPort() != null && ports.isEmpty()) {
      return new Unresolved(
          "ServicePortNotFound", "Service " + where + " has no port " + ref.getPort());
    }
    return new Resolved(addresses, ports);
  }

  private static List<String> clusterIps(Service service) {
    if (service.getSpec() == null) {
      return List.of();
    }
    List<String> ips = new ArrayList<>();
    if (service.getSpec().getClusterIPs() != null && !service.getSpec().getClusterIPs().isEmpty()) {
      ips.addAll(service.getSpec().getClusterIPs());
    } else if (service.getSpec().getClusterIP() != null) {
      ips.add(service.getSpec().getClusterIP());
    }
    ips.removeIf(ip -> ip == null || ip.isBlank() || "None".equals(ip));
    return ips;
  }
}
