package dev.gatehouse.controlplane.cdc;

import java.time.Instant;
import java.util.UUID;

/**
 * A row of one control-plane table as carried by a {@link Change}: every column a consumer may
 * need, typed. One record per table; the record's {@link #live()} says whether the row counts as
 * present (soft-deleted and, for policies and accounts, disabled rows do not).
 */
public sealed interface Row {

  /** Whether the row is present for readers (not soft-deleted, not disabled where that counts). */
  boolean live();

  record Account(UUID id, String name, String slug, Instant disabledAt, Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return disabledAt == null && deletedAt == null;
    }
  }

  record Actor(
      UUID id, UUID accountId, String name, String type, Instant disabledAt, Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  record Group(UUID id, UUID accountId, String name, Instant deletedAt) implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  record Membership(UUID id, UUID accountId, UUID actorId, UUID groupId) implements Row {
    @Override
    public boolean live() {
      return true;
    }
  }

  record Client(
      UUID id,
      UUID accountId,
      UUID actorId,
      String name,
      String publicKey,
      String lastSeenVersion,
      String lastSeenRemoteIp,
      Instant verifiedAt,
      Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  /** A token; {@code secretHashHex} is the SHA-256 of the secret, never the secret. */
  record Token(
      UUID id,
      UUID accountId,
      String type,
      UUID actorId,
      UUID siteId,
      String secretHashHex,
      Instant expiresAt,
      Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  record Site(UUID id, UUID accountId, String name, Instant deletedAt) implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  record Gateway(
      UUID id,
      UUID accountId,
      UUID siteId,
      String name,
      String publicKey,
      String lastSeenVersion,
      Instant lastSeenAt,
      Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  /** A resource; {@code filtersJson} and addresses are as stored (see the schema). */
  record Resource(
      UUID id,
      UUID accountId,
      String name,
      String type,
      String address,
      String ipStack,
      String filtersJson,
      Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return deletedAt == null;
    }
  }

  record ResourceConnection(UUID resourceId, UUID siteId, UUID accountId) implements Row {
    @Override
    public boolean live() {
      return true;
    }
  }

  record Policy(
      UUID id,
      UUID accountId,
      UUID groupId,
      UUID resourceId,
      String conditionsJson,
      Instant expiresAt,
      Instant disabledAt,
      Instant deletedAt)
      implements Row {
    @Override
    public boolean live() {
      return disabledAt == null && deletedAt == null;
    }
  }

  record Flow(
      UUID id,
      UUID accountId,
      UUID clientId,
      UUID gatewayId,
      UUID resourceId,
      UUID policyId,
      Instant expiresAt)
      implements Row {
    @Override
    public boolean live() {
      return true;
    }
  }
}
