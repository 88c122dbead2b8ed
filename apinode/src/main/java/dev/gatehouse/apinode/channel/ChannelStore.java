package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.core.GatewaySelection;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cdc.Row;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Everything channels read and write in the database, as one interface: the JDBC implementation is
 * {@code store.JdbcChannelStore}; tests use an in-memory twin, so that two channels can be driven
 * through a flow without PostgreSQL or sockets. Methods may block (channels call them from their
 * own task queue on virtual threads, never from an event loop).
 */
public interface ChannelStore {

  /** Upserts the device row of (actor, external id); empty if that device was deleted. */
  Optional<UUID> upsertClient(
      UUID accountId,
      UUID actorId,
      String externalId,
      String name,
      String publicKey,
      String version,
      String remoteIp)
      throws SQLException;

  /** Upserts the gateway row of (site, external id); empty if that gateway was deleted. */
  Optional<UUID> upsertGateway(
      UUID accountId, UUID siteId, String externalId, String name, String publicKey, String version)
      throws SQLException;

  /** The stable tunnel address index of a client or gateway. */
  int addressIndex(UUID ownerId) throws SQLException;

  /** The current WAL position: the hydration floor of a channel. */
  long currentWalLsn() throws SQLException;

  Optional<ClientSnapshot> loadClient(UUID clientId, Instant tokenExpiresAt) throws SQLException;

  /** A resource and the sites that serve it, or empty. */
  Optional<ResourceWithSites> loadResource(UUID resourceId) throws SQLException;

  /** A resource row and its sites. */
  record ResourceWithSites(Row.Resource resource, List<UUID> siteIds) {}

  List<Row.Flow> loadGatewayFlows(UUID gatewayId, Instant now) throws SQLException;

  void clientPresent(UUID clientId, String nodeId) throws SQLException;

  void clientGone(UUID clientId, String nodeId) throws SQLException;

  void gatewayPresent(UUID gatewayId, UUID accountId, UUID siteId, String endpoint, String nodeId)
      throws SQLException;

  void gatewayGone(UUID gatewayId, String nodeId) throws SQLException;

  Optional<String> nodeOfClient(UUID clientId) throws SQLException;

  Optional<String> nodeOfGateway(UUID gatewayId) throws SQLException;

  /** Online gateways of the account in any of the sites, with their load. */
  List<GatewaySelection.Candidate> onlineGateways(UUID accountId, List<UUID> siteIds)
      throws SQLException;

  /** Records a flow. */
  void insertFlow(
      UUID flowId,
      UUID accountId,
      UUID clientId,
      UUID gatewayId,
      UUID resourceId,
      UUID policyId,
      UUID tokenId,
      Instant expiresAt)
      throws SQLException;
}
