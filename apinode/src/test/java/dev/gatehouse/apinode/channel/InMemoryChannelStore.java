package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.core.GatewaySelection;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The in-memory twin of {@code JdbcChannelStore}: every client hydrates from one snapshot template
 * (with its own id), gateways are online while present, flows are kept in a list. Shared by the
 * nodes of one test, like the database.
 */
final class InMemoryChannelStore implements ChannelStore {

  record GatewayRow(UUID id, UUID accountId, UUID siteId, String publicKey, String version) {}

  private final Function<UUID, ClientSnapshot> snapshots;
  final Map<String, UUID> clientIds = new ConcurrentHashMap<>();
  final Map<String, GatewayRow> gateways = new ConcurrentHashMap<>();
  final Map<UUID, Integer> addresses = new ConcurrentHashMap<>();
  final Map<UUID, String> clientNodes = new ConcurrentHashMap<>();
  final Map<UUID, String> gatewayNodes = new ConcurrentHashMap<>();
  final Map<UUID, String> endpoints = new ConcurrentHashMap<>();
  final List<Row.Flow> flows = new CopyOnWriteArrayList<>();
  private final AtomicInteger nextAddress = new AtomicInteger(2);

  InMemoryChannelStore(Function<UUID, ClientSnapshot> snapshots) {
    this.snapshots = snapshots;
  }

  @Override
  public Optional<UUID> upsertClient(
      UUID accountId,
      UUID actorId,
      String externalId,
      String name,
      String publicKey,
      String version,
      String remoteIp) {
    return Optional.of(
        clientIds.computeIfAbsent(actorId + "/" + externalId, k -> UUID.randomUUID()));
  }

  @Override
  public Optional<UUID> upsertGateway(
      UUID accountId,
      UUID siteId,
      String externalId,
      String name,
      String publicKey,
      String version) {
    GatewayRow row =
        gateways.computeIfAbsent(
            siteId + "/" + externalId,
            k -> new GatewayRow(UUID.randomUUID(), accountId, siteId, publicKey, version));
    return Optional.of(row.id());
  }

  @Override
  public int addressIndex(UUID ownerId) {
    return addresses.computeIfAbsent(ownerId, k -> nextAddress.getAndIncrement());
  }

  @Override
  public long currentWalLsn() {
    return 0;
  }

  @Override
  public Optional<ClientSnapshot> loadClient(UUID clientId, Instant tokenExpiresAt) {
    return Optional.of(snapshots.apply(clientId));
  }

  @Override
  public Optional<ResourceWithSites> loadResource(UUID resourceId) {
    return Optional.empty();
  }

  @Override
  public List<Row.Flow> loadGatewayFlows(UUID gatewayId, Instant now) {
    return flows.stream().filter(f -> f.gatewayId().equals(gatewayId)).toList();
  }

  @Override
  public void clientPresent(UUID clientId, String nodeId) {
    clientNodes.put(clientId, nodeId);
  }

  @Override
  public void clientGone(UUID clientId, String nodeId) {
    clientNodes.remove(clientId, nodeId);
  }

  @Override
  public void gatewayPresent(
      UUID gatewayId, UUID accountId, UUID siteId, String endpoint, String nodeId) {
    gatewayNodes.put(gatewayId, nodeId);
    if (endpoint != null) {
      endpoints.put(gatewayId, endpoint);
    }
  }

  @Override
  public void gatewayGone(UUID gatewayId, String nodeId) {
    gatewayNodes.remove(gatewayId, nodeId);
  }

  @Override
  public Optional<String> nodeOfClient(UUID clientId) {
    return Optional.ofNullable(clientNodes.get(clientId));
  }

  @Override
  public Optional<String> nodeOfGateway(UUID gatewayId) {
    return Optional.ofNullable(gatewayNodes.get(gatewayId));
  }

  @Override
  public List<GatewaySelection.Candidate> onlineGateways(UUID accountId, List<UUID> siteIds) {
    List<GatewaySelection.Candidate> out = new ArrayList<>();
    for (GatewayRow g : gateways.values()) {
      String node = gatewayNodes.get(g.id());
      if (node != null && g.accountId().equals(accountId) && siteIds.contains(g.siteId())) {
        long load = flows.stream().filter(f -> f.gatewayId().equals(g.id())).count();
        var iface = dev.gatehouse.apinode.core.TunnelAddresses.of(addressIndex(g.id()));
        out.add(
            new GatewaySelection.Candidate(
                g.id(),
                g.siteId(),
                Version.parseOrUnknown(g.version()),
                g.publicKey(),
                endpoints.get(g.id()),
                iface.ipv4(),
                iface.ipv6(),
                node,
                (int) load));
      }
    }
    return out;
  }

  @Override
  public void insertFlow(
      UUID flowId,
      UUID accountId,
      UUID clientId,
      UUID gatewayId,
      UUID resourceId,
      UUID policyId,
      UUID tokenId,
      Instant expiresAt) {
    flows.add(
        new Row.Flow(flowId, accountId, clientId, gatewayId, resourceId, policyId, expiresAt));
  }
}
