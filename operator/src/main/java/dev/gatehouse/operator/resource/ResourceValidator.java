package dev.gatehouse.operator.resource;

import dev.gatehouse.operator.model.ResourceFilter;
import dev.gatehouse.operator.model.ResourceSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a {@link ResourceSpec} exactly, beyond what the CRD schema can: the same rules as the CEL
 * validations plus precise address parsing. Returns problems as messages that name the field; an
 * empty list means valid. Pure.
 */
public final class ResourceValidator {
  private ResourceValidator() {}

  public static List<String> validate(ResourceSpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is missing: set spec.address or spec.serviceRef");
      return problems;
    }
    boolean hasAddress = spec.getAddress() != null;
    boolean hasService = spec.getServiceRef() != null;
    if (hasAddress == hasService) {
      problems.add("set exactly one of spec.address or spec.serviceRef");
    }
    if (hasAddress) {
      try {
        ResourceAddress.parse(spec.getAddress());
      } catch (IllegalArgumentException e) {
        problems.add("spec.address: " + e.getMessage());
      }
    }
    if (hasService
        && (spec.getServiceRef().getName() == null || spec.getServiceRef().getName().isBlank())) {
      problems.add("spec.serviceRef.name is required");
    }
    if (spec.getGatewayRefs() != null && spec.getGatewaySelector() != null) {
      problems.add("set at most one of spec.gatewayRefs or spec.gatewaySelector");
    }
    List<ResourceFilter> filters = spec.getFilters() == null ? List.of() : spec.getFilters();
    for (int i = 0; i < filters.size(); i++) {
      validateFilter("spec.filters[" + i + "]", filters.get(i), problems);
    }
    return problems;
  }

  private static void validateFilter(String path, ResourceFilter filter, List<String> problems) {
    if (filter.getProtocol() == null) {
      problems.add(path + ".protocol is required: tcp, udp or icmp");
      return;
    }
    List<String> ports = filter.getPorts() == null ? List.of() : filter.getPorts();
    if (filter.getProtocol() == ResourceFilter.Protocol.ICMP && !ports.isEmpty()) {
      problems.add(path + ": icmp filters take no ports: remove ports, or use protocol tcp or udp");
      return;
    }
    for (int j = 0; j < ports.size(); j++) {
      try {
        PortRange.parse(ports.get(j));
      } catch (IllegalArgumentException e) {
        problems.add(path + ".ports[" + j + "]: " + e.getMessage());
      }
    }
  }
}
