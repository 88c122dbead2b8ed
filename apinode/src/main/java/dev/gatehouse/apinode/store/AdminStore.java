package dev.gatehouse.apinode.store;

import dev.gatehouse.controlplane.pg.Groups;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import java.security.SecureRandom;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The admin writes: actors, groups, memberships, client tokens (created here, shown once, stored
 * hashed) and token deletion. Each call is one statement in the given account.
 */
public final class AdminStore {

  /** Prefix of client tokens; gateway tokens made by the operator start with {@code ghgw_}. */
  public static final String CLIENT_TOKEN_PREFIX = "ghc_";

  private static final SecureRandom RANDOM = new SecureRandom();

  private final ConnectionPool pool;

  public AdminStore(ConnectionPool pool) {
    this.pool = pool;
  }

  public UUID createActor(UUID accountId, String name, String type) throws SQLException {
    UUID id = UUID.randomUUID();
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, ?, ?)",
                id,
                accountId,
                name,
                type));
    return id;
  }

  /**
   * The live group of that name, created if there is none. The operator creates the groups its
   * Policies name the same way ({@link Groups#ensure}), so both always meet on one row.
   */
  public Groups.Found ensureGroup(UUID accountId, String name) throws SQLException {
    return pool.with(c -> Groups.ensure(c, accountId, name));
  }

  /** The live group called {@code name}, if there is one. */
  public java.util.Optional<UUID> groupNamed(UUID accountId, String name) throws SQLException {
    return pool.with(c -> Groups.find(c, accountId, name));
  }

  /** Groups of the account (id, name, members). */
  public List<Map<String, Object>> groups(UUID accountId) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                c,
                "SELECT g.id, g.name, count(m.id) AS members FROM groups g"
                    + " LEFT JOIN memberships m ON m.group_id = g.id"
                    + " WHERE g.account_id = ? AND g.deleted_at IS NULL"
                    + " GROUP BY g.id, g.name, g.inserted_at ORDER BY g.inserted_at",
                rs ->
                    Map.<String, Object>of(
                        "id", Sql.uuid(rs, "id"),
                        "name", rs.getString("name"),
                        "members", rs.getLong("members")),
                accountId));
  }

  public UUID createMembership(UUID accountId, UUID actorId, UUID groupId) throws SQLException {
    UUID id = UUID.randomUUID();
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)",
                id,
                accountId,
                actorId,
                groupId));
    return id;
  }

  public boolean deleteMembership(UUID accountId, UUID membershipId) throws SQLException {
    return pool.with(
            c ->
                Sql.update(
                    c,
                    "DELETE FROM memberships WHERE id = ? AND account_id = ?",
                    membershipId,
                    accountId))
        > 0;
  }

  /** A new client token: its id and its secret, which is never stored and never shown again. */
  public record NewToken(UUID id, String secret, Instant expiresAt) {}

  public NewToken createClientToken(UUID accountId, UUID actorId, Instant expiresAt)
      throws SQLException {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret =
        CLIENT_TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    UUID id = UUID.randomUUID();
    pool.with(
        c ->
            Sql.update(
                c,
                "INSERT INTO tokens (id, account_id, type, actor_id, secret_hash, expires_at)"
                    + " VALUES (?, ?, 'client', ?, ?, ?)",
                id,
                accountId,
                actorId,
                OperatorSyncRepository.hashTokenSecret(secret),
                expiresAt));
    return new NewToken(id, secret, expiresAt);
  }

  /** Soft-deletes a token; its channels are disconnected (through CDC). */
  public boolean deleteToken(UUID accountId, UUID tokenId) throws SQLException {
    return pool.with(
            c ->
                Sql.update(
                    c,
                    "UPDATE tokens SET deleted_at = now() WHERE id = ? AND account_id = ?"
                        + " AND deleted_at IS NULL",
                    tokenId,
                    accountId))
        > 0;
  }

  /**
   * The live service account called {@code name}, created if there is none. Names starting with
   * {@code k8s:} are unique among live service accounts (an index), so concurrent callers meet on
   * one row.
   */
  public UUID ensureServiceAccount(UUID accountId, String name) throws SQLException {
    return pool.with(
        c -> {
          Sql.update(
              c,
              "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, ?, 'service_account')"
                  + " ON CONFLICT (account_id, name) WHERE type = 'service_account'"
                  + " AND deleted_at IS NULL AND name LIKE 'k8s:%' DO NOTHING",
              UUID.randomUUID(),
              accountId,
              name);
          return Sql.query(
                  c,
                  "SELECT id FROM actors WHERE account_id = ? AND name = ?"
                      + " AND type = 'service_account' AND deleted_at IS NULL",
                  rs -> Sql.uuid(rs, "id"),
                  accountId,
                  name)
              .getFirst();
        });
  }

  /**
   * Stores a workload's client token (its SHA-256 only) under a fixed id, once: a second call with
   * the same id changes nothing, so a retried issue is harmless.
   *
   * @param workload the pod it is for, {@code namespace/name}
   * @return whether the token was stored now (false: it was there already, live or revoked)
   */
  public boolean issueWorkloadToken(
      UUID accountId, UUID tokenId, UUID actorId, String secret, String workload)
      throws SQLException {
    return pool.with(
            c ->
                Sql.update(
                    c,
                    "INSERT INTO tokens (id, account_id, type, actor_id, secret_hash, workload)"
                        + " VALUES (?, ?, 'client', ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    tokenId,
                    accountId,
                    actorId,
                    OperatorSyncRepository.hashTokenSecret(secret),
                    workload))
        > 0;
  }

  /**
   * Revokes every live workload token issued before {@code issuedBefore} whose id is not in {@code
   * keep}: the tokens of pods that went while nobody watched.
   *
   * @param namespaces only workloads in these namespaces ({@code workload} is {@code
   *     namespace/name}); all when empty
   * @return how many were revoked
   */
  public int revokeWorkloadTokensExcept(
      UUID accountId, Set<UUID> keep, Set<String> namespaces, Instant issuedBefore)
      throws SQLException {
    return pool.with(
        c ->
            Sql.update(
                c,
                "UPDATE tokens SET deleted_at = now() WHERE account_id = ? AND workload IS NOT NULL"
                    + " AND deleted_at IS NULL AND inserted_at < ? AND NOT (id = ANY (?))"
                    + " AND (cardinality(?::text[]) = 0"
                    + " OR split_part(workload, '/', 1) = ANY (?::text[]))",
                accountId,
                issuedBefore,
                keep.toArray(UUID[]::new),
                namespaces.toArray(String[]::new),
                namespaces.toArray(String[]::new)));
  }

  /** Actors of the account (id, name, type). */
  public List<Map<String, Object>> actors(UUID accountId) throws SQLException {
    return pool.with(
        c ->
            Sql.query(
                c,
                "SELECT id, name, type FROM actors WHERE account_id = ? AND deleted_at IS NULL"
                    + " ORDER BY inserted_at",
                rs ->
                    Map.<String, Object>of(
                        "id", Sql.uuid(rs, "id"),
                        "name", rs.getString("name"),
                        "type", rs.getString("type")),
                accountId));
  }
}
