package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientDelta;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.GatewayDelta;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.ChangeSink;
import java.sql.SQLException;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What an API node does per connected client and gateway, reduced to a test sink: applies every
 * change to the caches and answers their load requests from the database (as a channel would).
 */
final class CacheOwner implements ChangeSink {

  final ClientCache client;
  final GatewayCache gateway;
  final List<ClientDelta> clientDeltas = new CopyOnWriteArrayList<>();
  final List<GatewayDelta> gatewayDeltas = new CopyOnWriteArrayList<>();
  final List<Change<?>> changes = new CopyOnWriteArrayList<>();
  private final CacheRepository repository;
  private final InstantSource clock;

  CacheOwner(
      ClientCache client, GatewayCache gateway, CacheRepository repository, InstantSource clock) {
    this.client = client;
    this.gateway = gateway;
    this.repository = repository;
    this.clock = clock;
  }

  @Override
  public synchronized void accept(Change<?> change) {
    changes.add(change);
    Instant now = clock.instant();
    if (client != null) {
      handle(client.apply(change, now), now);
    }
    if (gateway != null) {
      gatewayDeltas.addAll(gateway.apply(change, now));
    }
  }

  private void handle(List<ClientDelta> deltas, Instant now) {
    List<ClientDelta> follow = new ArrayList<>();
    for (ClientDelta d : deltas) {
      try {
        switch (d) {
          case ClientDelta.ResourceRequired r ->
              repository
                  .loadResource(r.resourceId())
                  .ifPresent(
                      rw -> follow.addAll(client.loadResource(rw.resource(), rw.siteIds(), now)));
          case ClientDelta.HydrationRequired h ->
              repository
                  .loadClient(client.clientId(), null)
                  .ifPresent(s -> follow.addAll(client.hydrate(s, now)));
          default -> clientDeltas.add(d);
        }
      } catch (SQLException e) {
        throw new IllegalStateException(e);
      }
    }
    if (!follow.isEmpty()) {
      handle(follow, now);
    }
  }

  synchronized List<String> clientDeltaSummary() {
    return clientDeltas.stream().map(CacheOwner::summary).toList();
  }

  static String summary(ClientDelta d) {
    return switch (d) {
      case ClientDelta.ResourceCreatedOrUpdated c ->
          "created " + c.resource().id() + " " + c.resource().address();
      case ClientDelta.ResourceDeleted r -> "deleted " + r.resourceId();
      default -> d.toString();
    };
  }
}
