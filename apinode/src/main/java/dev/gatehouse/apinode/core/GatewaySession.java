package dev.gatehouse.apinode.core;

import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.GatewayDelta;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Relay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The state of one gateway channel: its {@link GatewayCache}, the {@code authorize_flow}s awaiting
 * {@code flow_authorized}, and the stream position it was hydrated at (see {@link ClientSession}
 * for the last-LSN rule). Pure apart from the cache's reauthorizer (which may query the database
 * when a pair's last flow is deleted). Not thread-safe: one task at a time.
 */
public final class GatewaySession {

  /** What the owner must do. */
  public sealed interface Action {

    /** Push to the gateway. */
    record Send(Envelope<? extends GatewayOutbound> envelope) implements Action {}

    /**
     * The gateway authorized the flow: answer the client (on its node) with the request's answer.
     */
    record FlowConfirmed(FlowRequest request) implements Action {}

    /**
     * The gateway could not install the flow ({@code flow_authorization_failed}): answer the client
     * with {@code flow_creation_failed} and this reason.
     */
    record FlowRefused(FlowRequest request, String reason, String detail) implements Action {}

    /** Send {@code disconnect} and close the channel. */
    record Close(String reason) implements Action {}

    /** Relay candidates to these clients. */
    record RelayCandidates(List<UUID> clientIds, List<String> candidates) implements Action {}
  }

  private record Pending(FlowRequest request, Instant deadline) {}

  private final UUID gatewayId;
  private final GatewayCache cache;
  private final long floorLsn;
  private final Duration confirmTimeout;
  private final Map<String, Pending> pending = new HashMap<>();
  private long nextRef = 1;

  public GatewaySession(GatewayCache cache, long floorLsn, Duration confirmTimeout) {
    this.gatewayId = cache.gatewayId();
    this.cache = cache;
    this.floorLsn = floorLsn;
    this.confirmTimeout = confirmTimeout;
  }

  /** The {@code init} push: one authorization per (client, resource) with its latest expiry. */
  public static List<Action> init(
      UUID gatewayId, List<Row.Flow> flows, InterfaceAddresses iface, Instant now) {
    return init(gatewayId, flows, iface, List.of(), now);
  }

  /** {@link #init(UUID, List, InterfaceAddresses, Instant)}, offering these relays. */
  public static List<Action> init(
      UUID gatewayId,
      List<Row.Flow> flows,
      InterfaceAddresses iface,
      List<Relay> relays,
      Instant now) {
    Map<List<UUID>, Instant> pairs = new LinkedHashMap<>();
    for (Row.Flow f : flows) {
      if (f.expiresAt().isAfter(now)) {
        pairs.merge(
            List.of(f.clientId(), f.resourceId()), f.expiresAt(), (a, b) -> a.isAfter(b) ? a : b);
      }
    }
    List<GatewayOutbound.Authorization> auths = new ArrayList<>();
    pairs.forEach(
        (k, v) ->
            auths.add(new GatewayOutbound.Authorization(k.get(0), k.get(1), Views.unixSeconds(v))));
    return List.of(
        new Action.Send(
            Envelope.of(
                null,
                new GatewayOutbound.Init(
                    gatewayId, auths, iface, new GatewayOutbound.Config(true, true), relays))));
  }

  /** A recorded flow for this gateway: remember it and push {@code authorize_flow}. */
  public List<Action> authorize(FlowRequest r, Instant now) {
    String ref = "af-" + nextRef++;
    cache.putFlow(
        r.clientId(), r.resource().id(), r.flowId(), Instant.ofEpochMilli(r.expiresAtMillis()));
    pending.put(ref, new Pending(r, now.plus(confirmTimeout)));
    return List.of(
        new Action.Send(
            Envelope.of(
                null,
                new GatewayOutbound.AuthorizeFlow(
                    ref,
                    r.flowId(),
                    r.resource(),
                    r.client(),
                    r.clientIceCredentials(),
                    r.gatewayIceCredentials(),
                    r.expiresAtMillis() / 1000,
                    r.domain()))));
  }

  /** A decoded message from the gateway. */
  public List<Action> onMessage(Envelope<GatewayInbound> envelope, Instant now) {
    return switch (envelope.payload()) {
      case GatewayInbound.FlowAuthorized a -> {
        Pending p = pending.remove(a.ref());
        yield p == null
            ? notAwaited(envelope.ref(), a.ref())
            : List.of(new Action.FlowConfirmed(p.request()));
      }
      case GatewayInbound.FlowAuthorizationFailed f -> {
        Pending p = pending.remove(f.ref());
        yield p == null
            ? notAwaited(envelope.ref(), f.ref())
            : List.of(new Action.FlowRefused(p.request(), f.reason(), f.detail()));
      }
      case GatewayInbound.BroadcastIceCandidates c ->
          List.of(new Action.RelayCandidates(c.clientIds(), c.candidates()));
    };
  }

  private static List<Action> notAwaited(String envelopeRef, String flowRef) {
    return List.of(
        new Action.Send(
            Envelope.of(
                envelopeRef,
                new ErrorReply(
                    "out_of_turn",
                    "no authorize_flow with ref " + flowRef + " is awaiting confirmation"))));
  }

  /** A change from the CDC stream. */
  public List<Action> onChange(Change<?> change, Instant now) {
    if (Long.compareUnsigned(change.commitLsn(), floorLsn) < 0) {
      return List.of();
    }
    List<GatewayDelta> deltas = cache.apply(change, now);
    if (deltas.isEmpty()) {
      return List.of();
    }
    List<Action> out = new ArrayList<>(deltas.size());
    for (GatewayDelta d : deltas) {
      out.add(
          switch (d) {
            case GatewayDelta.RejectAccess r ->
                new Action.Send(
                    Envelope.of(
                        null, new GatewayOutbound.RejectAccess(r.clientId(), r.resourceId())));
            case GatewayDelta.ResourceUpdated u ->
                new Action.Send(
                    Envelope.of(
                        null, new GatewayOutbound.ResourceUpdated(Views.describe(u.resource()))));
            case GatewayDelta.AccessAuthorizationExpiryUpdated e ->
                new Action.Send(
                    Envelope.of(
                        null,
                        new GatewayOutbound.AccessAuthorizationExpiryUpdated(
                            e.clientId(), e.resourceId(), Views.unixSeconds(e.expiresAt()))));
            case GatewayDelta.Disconnect x -> new Action.Close(x.reason());
          });
    }
    return out;
  }

  /**
   * Drops expired flows from the cache and forgets {@code authorize_flow}s the gateway never
   * confirmed (their clients already got {@code offline}).
   */
  public int prune(Instant now) {
    for (Iterator<Pending> it = pending.values().iterator(); it.hasNext(); ) {
      if (!it.next().deadline().isAfter(now)) {
        it.remove();
      }
    }
    return cache.prune(now);
  }

  public UUID gatewayId() {
    return gatewayId;
  }

  public GatewayCache cache() {
    return cache;
  }

  public int pendingConfirmations() {
    return pending.size();
  }
}
