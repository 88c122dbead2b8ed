package dev.gatehouse.apinode.store;

import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import java.security.MessageDigest;
import java.sql.SQLException;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * Checks bearer tokens against the hashed tokens in the database: the presented secret is hashed
 * with SHA-256 ({@link OperatorSyncRepository#hashTokenSecret}), looked up by that hash, and the
 * stored hash is compared with {@link MessageDigest#isEqual} (constant time). The index lookup can
 * only leak timing about a hash of a 256-bit secret, never the secret. Expired and deleted tokens
 * are refused.
 */
public final class TokenStore {

  /** A valid token: whose it is and until when. */
  public record TokenInfo(
      UUID tokenId, UUID accountId, String type, UUID actorId, UUID siteId, Instant expiresAt) {}

  /** The answer to a token check. */
  public sealed interface Check {
    record Valid(TokenInfo token) implements Check {}

    /**
     * @param reason {@code missing_token}, {@code invalid_token}, {@code expired_token} or {@code
     *     wrong_token_type}
     */
    record Refused(String reason, String detail) implements Check {}
  }

  private static final int MAX_TOKEN_CHARS = 512;

  private final ConnectionPool pool;

  public TokenStore(ConnectionPool pool) {
    this.pool = pool;
  }

  /**
   * @param expectedType {@code client} or {@code site}
   */
  public Check check(String presented, String expectedType, Instant now) throws SQLException {
    if (presented == null || presented.isBlank()) {
      return new Check.Refused(
          "missing_token", "send the token as 'Authorization: Bearer <token>'");
    }
    if (presented.length() > MAX_TOKEN_CHARS
        || !presented.chars().allMatch(ch -> ch > 32 && ch < 127)) {
      return new Check.Refused("invalid_token", "the token is malformed");
    }
    byte[] hash = OperatorSyncRepository.hashTokenSecret(presented);
    record Stored(TokenInfo info, byte[] hash, Instant deletedAt) {}
    List<Stored> rows =
        pool.with(
            c ->
                Sql.query(
                    c,
                    "SELECT id, account_id, type, actor_id, site_id, secret_hash, expires_at,"
                        + " deleted_at FROM tokens WHERE secret_hash = ?",
                    rs ->
                        new Stored(
                            new TokenInfo(
                                Sql.uuid(rs, "id"),
                                Sql.uuid(rs, "account_id"),
                                rs.getString("type"),
                                Sql.uuid(rs, "actor_id"),
                                Sql.uuid(rs, "site_id"),
                                Sql.time(rs, "expires_at")),
                            rs.getBytes("secret_hash"),
                            Sql.time(rs, "deleted_at")),
                    (Object) hash));
    Stored match = null;
    for (Stored s : rows) {
      if (MessageDigest.isEqual(s.hash(), hash)) {
        match = s;
      }
    }
    if (match == null || match.deletedAt() != null) {
      return new Check.Refused("invalid_token", "the token is unknown or was deleted");
    }
    TokenInfo t = match.info();
    if (t.expiresAt() != null && !t.expiresAt().isAfter(now)) {
      return new Check.Refused("expired_token", "the token expired at " + t.expiresAt());
    }
    if (!expectedType.equals(t.type())) {
      return new Check.Refused(
          "wrong_token_type",
          "a "
              + t.type()
              + " token cannot open a "
              + ("site".equals(expectedType) ? "gateway" : "client")
              + " channel");
    }
    return new Check.Valid(t);
  }
}
