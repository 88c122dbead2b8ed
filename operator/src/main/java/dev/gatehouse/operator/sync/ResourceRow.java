package dev.gatehouse.operator.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.operator.model.ResourceFilter;
import dev.gatehouse.operator.model.ResourceSpec;
import dev.gatehouse.operator.resource.ResourceAddress;
import java.util.List;
import java.util.Locale;

/**
 * The control plane's view of a resource: type ({@code ip}, {@code cidr}, {@code dns}), one address
 * and the filters as JSON. Pure.
 *
 * @param type the {@code resources.type} column
 * @param address canonical address text
 * @param filtersJson {@code [{"protocol":"tcp","ports":["443"]}]}, {@code []} for all traffic
 */
public record ResourceRow(String type, String address, String filtersJson) {
  private static final ObjectMapper JSON = new ObjectMapper();

  /**
   * The row for a resource resolved to {@code addresses}; a dual-stack Service contributes its
   * first (primary-family) ClusterIP.
   *
   * @throws IllegalArgumentException when there is no address or it does not parse
   */
  public static ResourceRow of(ResourceSpec spec, List<String> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("the resource has not resolved to an address");
    }
    ResourceAddress parsed = ResourceAddress.parse(addresses.getFirst());
    return switch (parsed) {
      case ResourceAddress.Ip ip -> new ResourceRow("ip", ip.address(), filters(spec));
      case ResourceAddress.Cidr cidr ->
          new ResourceRow("cidr", cidr.network() + "/" + cidr.prefix(), filters(spec));
      case ResourceAddress.Dns dns -> new ResourceRow("dns", dns.name(), filters(spec));
    };
  }

  static String filters(ResourceSpec spec) {
    ArrayNode array = JSON.createArrayNode();
    if (spec.getFilters() != null) {
      for (ResourceFilter filter : spec.getFilters()) {
        ObjectNode node = array.addObject();
        node.put("protocol", filter.getProtocol().name().toLowerCase(Locale.ROOT));
        if (filter.getPorts() != null && !filter.getPorts().isEmpty()) {
          ArrayNode ports = node.putArray("ports");
          filter.getPorts().forEach(ports::add);
        }
      }
    }
    return array.toString();
  }
}
