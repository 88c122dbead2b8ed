package dev.gatehouse.controlplane.cache;

import java.util.UUID;

/**
 * What a {@link ClientCache} mutation asks its owner (the client's channel) to do. The first two
 * are pushed to the client as they are; the last two are requests to the owner to load data from
 * the database (the cache does no I/O) and hand it back.
 */
public sealed interface ClientDelta {

  /** Push {@code resource_created_or_updated}: the client may now connect to this resource. */
  record ResourceCreatedOrUpdated(ResourceView resource) implements ClientDelta {}

  /** Push {@code resource_deleted}: the client may no longer connect to this resource. */
  record ResourceDeleted(UUID resourceId) implements ClientDelta {}

  /**
   * A policy now points at a resource the cache has never seen: load the resource row and its site
   * connections and call {@link ClientCache#loadResource}.
   */
  record ResourceRequired(UUID resourceId) implements ClientDelta {}

  /**
   * The actor joined a group (or a table was truncated): load a fresh snapshot and call {@link
   * ClientCache#hydrate}.
   */
  record HydrationRequired(String reason) implements ClientDelta {}

  /**
   * The client may no longer be connected at all: its device, its actor or its account was deleted
   * or disabled. The owner closes the channel.
   */
  record Disconnect(String reason) implements ClientDelta {}
}
