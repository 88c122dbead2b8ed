package dev.gatehouse.controlplane.pg;

import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;

/**
 * Groups are named by people (a Policy's {@code spec.group}, an admin's {@code group create}), so
 * every writer finds a group by its name and, when none is live, creates it under one stable id
 * derived from the account and the name. Two writers racing on the same new name therefore land on
 * the same row instead of making twins that split memberships from policies.
 */
public final class Groups {
  private Groups() {}

  /** The group a name resolves to, and whether this call created it. */
  public record Found(UUID id, boolean created) {}

  /** The id a new group of this name gets in this account. Pure and stable. */
  public static UUID stableId(UUID account, String name) {
    return UUID.nameUUIDFromBytes(
        ("group:" + account + ":" + name).getBytes(StandardCharsets.UTF_8));
  }

  /** The live group called {@code name} in the account: the oldest, should there be several. */
  public static Optional<UUID> find(Connection c, UUID account, String name) throws SQLException {
    try (PreparedStatement find =
        c.prepareStatement(
            "SELECT id FROM groups WHERE account_id = ? AND name = ? AND deleted_at IS NULL"
                + " ORDER BY inserted_at LIMIT 1")) {
      find.setObject(1, account);
      find.setString(2, name);
      try (ResultSet rows = find.executeQuery()) {
        return rows.next() ? Optional.of(rows.getObject(1, UUID.class)) : Optional.empty();
      }
    }
  }

  /**
   * The live group called {@code name} ({@link #find}), or a new or revived one with {@link
   * #stableId}.
   */
  public static Found ensure(Connection c, UUID account, String name) throws SQLException {
    Optional<UUID> existing = find(c, account, name);
    if (existing.isPresent()) {
      return new Found(existing.get(), false);
    }
    UUID id = stableId(account, name);
    try (PreparedStatement insert =
        c.prepareStatement(
            "INSERT INTO groups (id, account_id, name) VALUES (?, ?, ?)"
                + " ON CONFLICT (id) DO UPDATE SET deleted_at = NULL")) {
      insert.setObject(1, id);
      insert.setObject(2, account);
      insert.setString(3, name);
      insert.executeUpdate();
    }
    return new Found(id, true);
  }
}
