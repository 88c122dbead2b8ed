package dev.gatehouse.controlplane.cache;

/**
 * The one place that knows which resource kinds and features need which client and gateway versions
 * (Firezone's {@code adapt_resource_for_version} and {@code filter_compatible_gateways}, reference
 * section 4). Pure.
 */
public final class VersionCompatibility {

  /** Features gated by version, with the minimum client and gateway versions. */
  public enum Feature {
    /** Full-tunnel "internet" resources. */
    INTERNET_RESOURCE(new Version(1, 3, 0), new Version(1, 3, 0)),
    /**
     * DNS wildcards in the current syntax ({@code **} and {@code *}, not {@code *} and {@code ?}).
     */
    DNS_WILDCARD_SYNTAX_V2(new Version(1, 2, 0), new Version(1, 2, 0));

    private final Version minimumClient;
    private final Version minimumGateway;

    Feature(Version minimumClient, Version minimumGateway) {
      this.minimumClient = minimumClient;
      this.minimumGateway = minimumGateway;
    }

    public Version minimumClient() {
      return minimumClient;
    }

    public Version minimumGateway() {
      return minimumGateway;
    }
  }

  private VersionCompatibility() {}

  /**
   * The resource's address as a peer of {@code version} must see it, or null if that peer cannot
   * handle the resource at all (then it is withheld from a client and such a gateway is never
   * chosen). Addresses of ip and cidr resources are never changed.
   *
   * @param minimum the minimum per feature: pass {@code true} for a client, {@code false} for a
   *     gateway
   */
  public static String adaptAddress(
      ResourceType type, String address, Version version, boolean client) {
    return switch (type) {
      case IP, CIDR -> address;
      case INTERNET -> version.atLeast(minimum(Feature.INTERNET_RESOURCE, client)) ? "" : null;
      case DNS ->
          version.atLeast(minimum(Feature.DNS_WILDCARD_SYNTAX_V2, client))
              ? address
              : legacyWildcard(address);
    };
  }

  private static Version minimum(Feature feature, boolean client) {
    return client ? feature.minimumClient() : feature.minimumGateway();
  }

  /**
   * Rewrites a DNS pattern into the pre-1.2 syntax: a leading {@code **} becomes {@code *}, a
   * leading {@code *} becomes {@code ?}; any other {@code *} or {@code ?} makes it unusable.
   */
  static String legacyWildcard(String address) {
    String head;
    String rest;
    if (address.startsWith("**")) {
      head = "*";
      rest = address.substring(2);
    } else if (address.startsWith("*")) {
      head = "?";
      rest = address.substring(1);
    } else {
      head = "";
      rest = address;
    }
    if (rest.indexOf('*') >= 0 || rest.indexOf('?') >= 0) {
      return null;
    }
    return head + rest;
  }

  /**
   * Whether a gateway may serve a client: its version must be in {@code [client.major.(minor-1).0,
   * client.major.(minor+2).0)}, i.e. at most one minor release behind or ahead of the client.
   * Unknown versions are never compatible.
   */
  public static boolean gatewayServesClient(Version gateway, Version client) {
    if (gateway == null
        || client == null
        || gateway.equals(Version.UNKNOWN)
        || client.equals(Version.UNKNOWN)) {
      return false;
    }
    Version low = new Version(client.major(), Math.max(0, client.minor() - 1), 0);
    Version high = new Version(client.major(), client.minor() + 2, 0);
    return gateway.atLeast(low) && gateway.compareTo(high) < 0;
  }

  /**
   * Whether {@code gateway} can be chosen to serve {@code type}/{@code address} to {@code client}:
   * version skew allowed and the resource adaptable for the gateway's version.
   */
  public static boolean gatewayCompatible(
      Version gateway, Version client, ResourceType type, String address) {
    return gatewayServesClient(gateway, client)
        && adaptAddress(type, address, gateway, false) != null;
  }
}
