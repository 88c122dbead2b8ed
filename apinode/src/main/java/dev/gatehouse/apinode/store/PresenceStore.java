package dev.gatehouse.apinode.store;

import dev.gatehouse.apinode.core.GatewaySelection;
import dev.gatehouse.controlplane.cache.Version;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.postgresql.replication.LogSequenceNumber;

/**
 * Who is connected where: API node rows with heartbeats, gateway and client presences, the client
 * and gateway rows that a join upserts, and tunnel address indexes. A presence counts only while
 * its node's heartbeat is younger than the TTL, so a crashed replica's channels vanish from gateway
 * selection after one TTL, and the next live node reaps its rows.
 */
public final class PresenceStore {

  private final ConnectionPool pool;
  private final Duration ttl;

  public PresenceStore(ConnectionPool pool, Duration ttl) {
    this.pool = pool;
    this.ttl = ttl;
  }

  private double ttlSeconds() {
    return ttl.toMillis() / 1000.0;
  }

  /** Registers (or re-registers after a restart) a node, dropping presences it left behind. */
  public void registerNode(String nodeId) throws SQLException {
    pool.with(
        c -> {
          Sql.update(c, "DELETE FROM api_nodes WHERE id = ?", nodeId);
          return Sql.update(c, "INSERT INTO api_nodes (id) VALUES (?)", nodeId);
        });
  }

  /** Refreshes the node's heartbeat; re-registers it if it was reaped meanwhile. */
  public void heartbeat(String nodeId) throws SQLException {
    int n =
        pool.with(
            c -> Sql.update(c, "UPDATE api_nodes SET heartbeat_at = now() WHERE id = ?", nodeId));
    if (n == 0) {
      pool.with(
          c ->
              Sql.update(
                  c, "INSERT INTO api_nodes (id) VALUES (?) ON CONFLICT DO NOTHING", nodeId));
    }
  }

  /** Deletes nodes whose heartbeat is older than {@code age} (and their presences); their ids. */
  public List<String> reapStaleNodes(Duration age) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                c,
                "DELETE FROM api_nodes WHERE heartbeat_at < now() - make_interval(secs => ?)"
                    + " RETURNING id",
                rs -> rs.getString(1),
                age.toMillis() / 1000.0));
  }

  public void removeNode(String nodeId) throws SQLException {
    pool.with(c -> Sql.update(c, "DELETE FROM api_nodes WHERE id = ?", nodeId));
  }

  /** The current WAL insert position (the hydration floor of a channel). */
  public long currentWalLsn() throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                    c,
                    "SELECT pg_current_wal_lsn()::text",
                    rs -> LogSequenceNumber.valueOf(rs.getString(1)).asLong())
                .getFirst());
  }

  /**
   * Upserts the client row of (actor, external id) with what it reported on join.
   *
   * @return its id, or empty if that device was deleted
   */
  public Optional<UUID> upsertClient(
      UUID accountId,
      UUID actorId,
      String externalId,
      String name,
      String publicKey,
      String version,
      String remoteIp)
      throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                    c,
                    "INSERT INTO clients (id, account_id, actor_id, external_id, name, public_key,"
                        + " last_seen_version, last_seen_remote_ip, last_seen_at)"
                        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?::inet, now())"
                        + " ON CONFLICT (actor_id, external_id) DO UPDATE SET name = EXCLUDED.name,"
                        + " public_key = EXCLUDED.public_key, last_seen_version = EXCLUDED.last_seen_version,"
                        + " last_seen_remote_ip = EXCLUDED.last_seen_remote_ip, last_seen_at = now()"
                        + " WHERE clients.deleted_at IS NULL RETURNING id",
                    rs -> Sql.uuid(rs, "id"),
                    UUID.randomUUID(),
                    accountId,
                    actorId,
                    externalId,
                    name,
                    publicKey,
                    version,
                    remoteIp)
                .stream()
                .findFirst());
  }

  /**
   * Upserts the gateway row of (site, external id) — the pod UID — with what it reported.
   *
   * @return its id, or empty if that gateway was deleted
   */
  public Optional<UUID> upsertGateway(
      UUID accountId, UUID siteId, String externalId, String name, String publicKey, String version)
      throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                    c,
                    "INSERT INTO gateways (id, account_id, site_id, external_id, name, public_key,"
                        + " last_seen_version, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, now())"
                        + " ON CONFLICT (site_id, external_id) DO UPDATE SET name = EXCLUDED.name,"
                        + " public_key = EXCLUDED.public_key, last_seen_version = EXCLUDED.last_seen_version,"
                        + " last_seen_at = now() WHERE gateways.deleted_at IS NULL RETURNING id",
                    rs -> Sql.uuid(rs, "id"),
                    UUID.randomUUID(),
                    accountId,
                    siteId,
                    externalId,
                    name,
                    publicKey,
                    version)
                .stream()
                .findFirst());
  }

  /** The stable tunnel address index of a client or gateway, allocated on first use. */
  public int addressIndex(UUID ownerId) throws SQLException {
    return pool.with(
        c -> {
          List<Integer> n =
              Sql.query(
                  c,
                  "SELECT n FROM tunnel_addresses WHERE owner_id = ?",
                  rs -> rs.getInt(1),
                  ownerId);
          if (!n.isEmpty()) {
            return n.getFirst();
          }
          Sql.update(
              c,
              "INSERT INTO tunnel_addresses (owner_id, n) VALUES (?, nextval('tunnel_address_seq'))"
                  + " ON CONFLICT (owner_id) DO NOTHING",
              ownerId);
          return Sql.query(
                  c,
                  "SELECT n FROM tunnel_addresses WHERE owner_id = ?",
                  rs -> rs.getInt(1),
                  ownerId)
              .getFirst();
        });
  }

  public void clientPresent(UUID clientId, String nodeId) throws SQLException {
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO client_presences (client_id, node_id) VALUES (?, ?)"
                    + " ON CONFLICT (client_id) DO UPDATE SET node_id = EXCLUDED.node_id, connected_at = now()",
                clientId,
                nodeId));
  }

  public void clientGone(UUID clientId, String nodeId) throws SQLException {
    pool.with(
        c ->
            Sql.update(
                c,
                "DELETE FROM client_presences WHERE client_id = ? AND node_id = ?",
                clientId,
                nodeId));
  }

  public void gatewayPresent(
      UUID gatewayId, UUID accountId, UUID siteId, String endpoint, String nodeId)
      throws SQLException {
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO gateway_presences (gateway_id, node_id, account_id, site_id, endpoint)"
                    + " VALUES (?, ?, ?, ?, ?) ON CONFLICT (gateway_id) DO UPDATE SET"
                    + " node_id = EXCLUDED.node_id, endpoint = EXCLUDED.endpoint, connected_at = now()",
                gatewayId,
                nodeId,
                accountId,
                siteId,
                endpoint));
  }

  public void gatewayGone(UUID gatewayId, String nodeId) throws SQLException {
    pool.with(
        c ->
            Sql.update(
                c,
                "DELETE FROM gateway_presences WHERE gateway_id = ? AND node_id = ?",
                gatewayId,
                nodeId));
  }

  /** The live node holding a client's channel. */
  public Optional<String> nodeOfClient(UUID clientId) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                    c,
                    "SELECT p.node_id FROM client_presences p JOIN api_nodes n ON n.id = p.node_id"
                        + " AND n.heartbeat_at > now() - make_interval(secs => ?) WHERE p.client_id = ?",
                    rs -> rs.getString(1),
                    ttlSeconds(),
                    clientId)
                .stream()
                .findFirst());
  }

  /** The live node holding a gateway's channel. */
  public Optional<String> nodeOfGateway(UUID gatewayId) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                    c,
                    "SELECT p.node_id FROM gateway_presences p JOIN api_nodes n ON n.id = p.node_id"
                        + " AND n.heartbeat_at > now() - make_interval(secs => ?) WHERE p.gateway_id = ?",
                    rs -> rs.getString(1),
                    ttlSeconds(),
                    gatewayId)
                .stream()
                .findFirst());
  }

  /**
   * The online gateways of an account in any of {@code siteIds}, with their live flow count as load
   * (the input of {@link GatewaySelection}).
   */
  public List<GatewaySelection.Candidate> onlineGateways(UUID accountId, List<UUID> siteIds)
      throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                c,
                "SELECT g.id, g.site_id, g.public_key, g.last_seen_version, p.endpoint, p.node_id, ta.n,"
                    + " (SELECT count(*) FROM flows f WHERE f.gateway_id = g.id AND f.expires_at > now()) AS load"
                    + " FROM gateway_presences p"
                    + " JOIN gateways g ON g.id = p.gateway_id AND g.deleted_at IS NULL"
                    + " JOIN api_nodes n ON n.id = p.node_id AND n.heartbeat_at > now() - make_interval(secs => ?)"
                    + " LEFT JOIN tunnel_addresses ta ON ta.owner_id = g.id"
                    + " WHERE p.account_id = ? AND p.site_id = ANY (?)",
                rs -> {
                  int n = rs.getInt("n");
                  var iface = n > 0 ? dev.gatehouse.apinode.core.TunnelAddresses.of(n) : null;
                  return new GatewaySelection.Candidate(
                      Sql.uuid(rs, "id"),
                      Sql.uuid(rs, "site_id"),
                      Version.parseOrUnknown(rs.getString("last_seen_version")),
                      rs.getString("public_key"),
                      rs.getString("endpoint"),
                      iface == null ? null : iface.ipv4(),
                      iface == null ? null : iface.ipv6(),
                      rs.getString("node_id"),
                      rs.getInt("load"));
                },
                ttlSeconds(),
                accountId,
                siteIds.toArray(UUID[]::new)));
  }
}
