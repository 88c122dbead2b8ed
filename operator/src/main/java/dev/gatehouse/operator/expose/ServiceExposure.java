package dev.gatehouse.operator.expose;

import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceFilter;
import dev.gatehouse.operator.model.ResourceSpec;
import dev.gatehouse.operator.model.ServiceRef;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * A Service labelled {@code gatehouse.dev/expose: "true"} becomes a {@link Resource} of the same
 * name: its {@code serviceRef}, a filter allowing exactly the Service's TCP and UDP ports (and
 * ping), the Gateways named in its {@code gatehouse.dev/gateways} annotation (all of the
 * namespace's when absent). The Resource is owned by the Service, so it goes when the Service goes;
 * Policies then grant it like any other. A label, not an annotation, selects the Services, so the
 * operator watches only those (the API server filters). Pure.
 */
public final class ServiceExposure {
  private ServiceExposure() {}

  /** The label that exposes a Service; its value must be {@code "true"}. */
  public static final String EXPOSE_LABEL = "gatehouse.dev/expose";

  /** The label selector of exposed Services. */
  public static final String SELECTOR = EXPOSE_LABEL + "=true";

  /** Comma-separated Gateways (in the Service's namespace) that serve it; absent: all of them. */
  public static final String GATEWAYS_ANNOTATION = "gatehouse.dev/gateways";

  /** Free text for the Resource's description. */
  public static final String DESCRIPTION_ANNOTATION = "gatehouse.dev/description";

  /** On a Resource made from a Service: that Service's name. */
  public static final String MANAGED_LABEL = "gatehouse.dev/exposed-service";

  public static boolean exposed(Service service) {
    Map<String, String> labels = service.getMetadata().getLabels();
    return labels != null && "true".equals(labels.get(EXPOSE_LABEL));
  }

  /** Whether {@code resource} was made from {@code service} (and may be changed or deleted). */
  public static boolean managedBy(Resource resource, Service service) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels != null
        && service.getMetadata().getName().equals(labels.get(MANAGED_LABEL))
        && resource.getMetadata().getOwnerReferences() != null
        && resource.getMetadata().getOwnerReferences().stream()
            .anyMatch(o -> service.getMetadata().getUid().equals(o.getUid()));
  }

  /** Whether {@code resource} was made from some Service (whichever). */
  public static boolean madeFromAService(Resource resource) {
    Map<String, String> labels = resource.getMetadata().getLabels();
    return labels != null && labels.containsKey(MANAGED_LABEL);
  }

  /** The Resource an exposed Service stands for. */
  public static Resource desired(Service service) {
    String name = service.getMetadata().getName();
    Resource resource = new Resource();
    resource.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(service.getMetadata().getNamespace())
            .withLabels(Map.of(MANAGED_LABEL, name))
            .withOwnerReferences(
                new OwnerReferenceBuilder()
                    .withApiVersion("v1")
                    .withKind("Service")
                    .withName(name)
                    .withUid(service.getMetadata().getUid())
                    .withController(true)
                    .build())
            .build());
    ResourceSpec spec = new ResourceSpec();
    spec.setServiceRef(new ServiceRef(name, null, null));
    spec.setFilters(filters(service));
    spec.setGatewayRefs(gateways(service));
    spec.setDescription(description(service));
    resource.setSpec(spec);
    return resource;
  }

  /** One filter per protocol with the Service's ports, plus ping. */
  static List<ResourceFilter> filters(Service service) {
    TreeSet<Integer> tcp = new TreeSet<>();
    TreeSet<Integer> udp = new TreeSet<>();
    List<ServicePort> ports =
        service.getSpec() == null || service.getSpec().getPorts() == null
            ? List.of()
            : service.getSpec().getPorts();
    for (ServicePort port : ports) {
      String protocol =
          port.getProtocol() == null ? "TCP" : port.getProtocol().toUpperCase(Locale.ROOT);
      switch (protocol) {
        case "TCP" -> tcp.add(port.getPort());
        case "UDP" -> udp.add(port.getPort());
        default -> {} // SCTP: not carried
      }
    }
    List<ResourceFilter> filters = new ArrayList<>();
    if (!tcp.isEmpty()) {
      filters.add(new ResourceFilter(ResourceFilter.Protocol.TCP, asText(tcp)));
    }
    if (!udp.isEmpty()) {
      filters.add(new ResourceFilter(ResourceFilter.Protocol.UDP, asText(udp)));
    }
    filters.add(new ResourceFilter(ResourceFilter.Protocol.ICMP, null));
    return filters;
  }

  private static List<String> asText(TreeSet<Integer> ports) {
    return ports.stream().map(String::valueOf).toList();
  }

  static List<String> gateways(Service service) {
    String value = annotation(service, GATEWAYS_ANNOTATION);
    if (value == null || value.isBlank()) {
      return null;
    }
    return Arrays.stream(value.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
  }

  private static String description(Service service) {
    String value = annotation(service, DESCRIPTION_ANNOTATION);
    if (value != null && !value.isBlank()) {
      return value.length() > 1024 ? value.substring(0, 1024) : value;
    }
    return "Service "
        + service.getMetadata().getName()
        + " (exposed by its "
        + EXPOSE_LABEL
        + " label)";
  }

  private static String annotation(Service service, String key) {
    Map<String, String> annotations = service.getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(key);
  }
}
