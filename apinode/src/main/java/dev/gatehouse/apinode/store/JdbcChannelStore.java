package dev.gatehouse.apinode.store;

import dev.gatehouse.apinode.channel.ChannelStore;
import dev.gatehouse.apinode.core.GatewaySelection;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.pg.CacheRepository;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** {@link ChannelStore} on PostgreSQL: presence, flows, and the control plane's hydration. */
public final class JdbcChannelStore implements ChannelStore {

  private final PresenceStore presence;
  private final FlowStore flows;
  private final CacheRepository caches;

  public JdbcChannelStore(PresenceStore presence, FlowStore flows, CacheRepository caches) {
    this.presence = presence;
    this.flows = flows;
    this.caches = caches;
  }

  @Override
  public Optional<UUID> upsertClient(
      UUID accountId,
      UUID actorId,
      String externalId,
      String name,
      String publicKey,
      String version,
      String remoteIp)
      throws SQLException {
    return presence.upsertClient(
        accountId, actorId, externalId, name, publicKey, version, remoteIp);
  }

  @Override
  public Optional<UUID> upsertGateway(
      UUID accountId, UUID siteId, String externalId, String name, String publicKey, String version)
      throws SQLException {
    return presence.upsertGateway(accountId, siteId, externalId, name, publicKey, version);
  }

  @Override
  public int addressIndex(UUID ownerId) throws SQLException {
    return presence.addressIndex(ownerId);
  }

  @Override
  public long currentWalLsn() throws SQLException {
    return presence.currentWalLsn();
  }

  @Override
  public Optional<ClientSnapshot> loadClient(UUID clientId, Instant tokenExpiresAt)
      throws SQLException {
    return caches.loadClient(clientId, tokenExpiresAt);
  }

  @Override
  public Optional<ResourceWithSites> loadResource(UUID resourceId) throws SQLException {
    return caches
        .loadResource(resourceId)
        .map(r -> new ResourceWithSites(r.resource(), r.siteIds()));
  }

  @Override
  public List<Row.Flow> loadGatewayFlows(UUID gatewayId, Instant now) throws SQLException {
    return caches.loadGatewayFlows(gatewayId, now);
  }

  @Override
  public void clientPresent(UUID clientId, String nodeId) throws SQLException {
    presence.clientPresent(clientId, nodeId);
  }

  @Override
  public void clientGone(UUID clientId, String nodeId) throws SQLException {
    presence.clientGone(clientId, nodeId);
  }

  @Override
  public void gatewayPresent(
      UUID gatewayId, UUID accountId, UUID siteId, String endpoint, String nodeId)
      throws SQLException {
    presence.gatewayPresent(gatewayId, accountId, siteId, endpoint, nodeId);
  }

  @Override
  public void gatewayGone(UUID gatewayId, String nodeId) throws SQLException {
    presence.gatewayGone(gatewayId, nodeId);
  }

  @Override
  public Optional<String> nodeOfClient(UUID clientId) throws SQLException {
    return presence.nodeOfClient(clientId);
  }

  @Override
  public Optional<String> nodeOfGateway(UUID gatewayId) throws SQLException {
    return presence.nodeOfGateway(gatewayId);
  }

  @Override
  public List<GatewaySelection.Candidate> onlineGateways(UUID accountId, List<UUID> siteIds)
      throws SQLException {
    return presence.onlineGateways(accountId, siteIds);
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
      Instant expiresAt)
      throws SQLException {
    flows.insert(flowId, accountId, clientId, gatewayId, resourceId, policyId, tokenId, expiresAt);
  }
}
