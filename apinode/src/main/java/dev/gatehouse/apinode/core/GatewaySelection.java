package dev.gatehouse.apinode.core;

import dev.gatehouse.controlplane.cache.ResourceType;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cache.VersionCompatibility;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Picks the gateway for a flow (Firezone's {@code all_compatible_gateways_for_client_and_resource}
 * and {@code load_balance_gateways}, reference section 5, without geo-IP): among the online
 * gateways in a site serving the resource, keep the version-compatible ones; prefer those the
 * client already has tunnels to; then the least loaded (fewest live flows); ties go to the lowest
 * id so that the choice is deterministic. Pure.
 */
public final class GatewaySelection {

  /**
   * An online gateway that could serve the resource.
   *
   * @param load its number of live flows
   * @param nodeId the API node that holds its channel
   */
  public record Candidate(
      UUID gatewayId,
      UUID siteId,
      Version version,
      String publicKey,
      String endpoint,
      String ipv4,
      String ipv6,
      String nodeId,
      int load) {}

  private GatewaySelection() {}

  /** The gateways that may serve {@code type}/{@code address} to a client of {@code client}. */
  public static List<Candidate> compatible(
      Collection<Candidate> online, Version client, ResourceType type, String address) {
    return online.stream()
        .filter(c -> VersionCompatibility.gatewayCompatible(c.version(), client, type, address))
        .toList();
  }

  /** The chosen gateway, or empty when none qualifies (the client is told {@code offline}). */
  public static Optional<Candidate> select(
      Collection<Candidate> online,
      Version client,
      ResourceType type,
      String address,
      Collection<UUID> connectedGatewayIds) {
    List<Candidate> compatible = compatible(online, client, type, address);
    List<Candidate> preferred =
        compatible.stream().filter(c -> connectedGatewayIds.contains(c.gatewayId())).toList();
    List<Candidate> pool = preferred.isEmpty() ? compatible : preferred;
    return pool.stream()
        .min(Comparator.comparingInt(Candidate::load).thenComparing(Candidate::gatewayId));
  }
}
