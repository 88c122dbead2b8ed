package dev.gatehouse.e2e.local;

import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Base64;
import java.util.UUID;

/** Writes control-plane rows for the in-process API node ITs: plain statements and tokens. */
final class ControlPlaneRows {
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Connection sql;
  private final UUID account;

  ControlPlaneRows(Connection sql, UUID account) {
    this.sql = sql;
    this.account = account;
  }

  void exec(String statement, Object... params) throws SQLException {
    try (PreparedStatement ps = sql.prepareStatement(statement)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  /** A fresh token of {@code type} for {@code owner} (stored hashed); returns its secret. */
  String token(String prefix, String type, String column, UUID owner) throws SQLException {
    byte[] raw = new byte[32];
    RANDOM.nextBytes(raw);
    String secret = prefix + Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    exec(
        "INSERT INTO tokens (id, account_id, type, "
            + column
            + ", secret_hash, expires_at) VALUES (?, ?, ?, ?, ?, now() + interval '1 hour')",
        UUID.randomUUID(),
        account,
        type,
        owner,
        OperatorSyncRepository.hashTokenSecret(secret));
    return secret;
  }
}
