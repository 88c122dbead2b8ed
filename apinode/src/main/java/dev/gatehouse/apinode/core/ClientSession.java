package dev.gatehouse.apinode.core;

import dev.gatehouse.controlplane.cache.Authorization;
import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientDelta;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cache.ResourceType;
import dev.gatehouse.controlplane.cache.ResourceView;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.DomainPattern;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.protocol.Relay;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The state of one client channel: its {@link ClientCache}, its pending {@code create_flow}s and
 * the stream position it was hydrated at. Pure: every method takes the input and the time and
 * returns the {@link Action}s its owner must carry out, in order. Not thread-safe: the owner calls
 * it from one task at a time.
 *
 * <p>Per-channel last-LSN rule: changes that committed before the hydration snapshot ({@code
 * floorLsn}) are already in the cache and are dropped; after that the cache's own guard drops
 * duplicates and out-of-order changes.
 */
public final class ClientSession {

  /** What the owner must do. */
  public sealed interface Action {

    /** Push to the client. */
    record Send(Envelope<? extends ClientOutbound> envelope) implements Action {}

    /**
     * Authorized: select a gateway, record the flow and send it {@code authorize_flow}; then call
     * {@link #onFlowAnswer} with the result.
     */
    record SetupFlow(
        String ref,
        Authorization.Allowed allowed,
        ResourceView resource,
        List<UUID> connectedGatewayIds,
        ProxiedDomain domain)
        implements Action {}

    /** Load the resource and its sites; call {@link #onResourceLoaded}. */
    record LoadResource(UUID resourceId) implements Action {}

    /** Load a fresh snapshot; call {@link #onHydrated}. */
    record Rehydrate(String reason) implements Action {}

    /** Send {@code disconnect} and close the channel. */
    record Close(String reason) implements Action {}

    /** Relay candidates to these gateways. */
    record RelayCandidates(List<UUID> gatewayIds, List<String> candidates) implements Action {}
  }

  private record Pending(UUID resourceId, Instant deadline) {}

  /** At most this many flows may be pending at once (a client asks for one per resource). */
  public static final int MAX_PENDING = 64;

  private final UUID clientId;
  private final ClientCache cache;
  private final InterfaceAddresses iface;
  private final long floorLsn;
  private final Duration flowTimeout;
  private final Map<String, Pending> pending = new HashMap<>();
  private long droppedBeforeFloor;

  public ClientSession(
      ClientCache cache, InterfaceAddresses iface, long floorLsn, Duration flowTimeout) {
    this.clientId = cache.clientId();
    this.cache = cache;
    this.iface = iface;
    this.floorLsn = floorLsn;
    this.flowTimeout = flowTimeout;
  }

  /** The {@code init} push that opens the channel, with no relays. */
  public List<Action> init() {
    return init(List.of());
  }

  /** The {@code init} push that opens the channel, offering these relays. */
  public List<Action> init(List<Relay> relays) {
    return List.of(
        new Action.Send(
            Envelope.of(
                null,
                new ClientOutbound.Init(
                    clientId,
                    cache.connectable().stream().map(Views::describe).toList(),
                    iface,
                    relays))));
  }

  /** A decoded message from the client. */
  public List<Action> onMessage(Envelope<ClientInbound> envelope, Instant now) {
    String ref = envelope.ref();
    return switch (envelope.payload()) {
      case ClientInbound.CreateFlow create -> createFlow(ref, create, now);
      case ClientInbound.BroadcastIceCandidates c ->
          List.of(new Action.RelayCandidates(c.gatewayIds(), c.candidates()));
    };
  }

  private List<Action> createFlow(String ref, ClientInbound.CreateFlow create, Instant now) {
    if (ref == null) {
      return error(null, "out_of_turn", "create_flow needs a ref to answer to");
    }
    if (pending.containsKey(ref)) {
      return error(ref, "out_of_turn", "a create_flow with ref " + ref + " is still pending");
    }
    if (pending.size() >= MAX_PENDING) {
      return error(ref, "rate_limited", "too many pending create_flow requests");
    }
    UUID resourceId = create.resourceId();
    Authorization auth = cache.authorize(resourceId, cache.context(), now);
    return switch (auth) {
      case Authorization.NotFound nf ->
          failed(ref, resourceId, ClientOutbound.FlowCreationFailed.NOT_FOUND, List.of());
      case Authorization.Forbidden f ->
          failed(
              ref, resourceId, ClientOutbound.FlowCreationFailed.FORBIDDEN, f.violatedProperties());
      case Authorization.Allowed allowed -> {
        if (allowed.expiresAt() != null && !allowed.expiresAt().isAfter(now)) {
          yield failed(
              ref, resourceId, ClientOutbound.FlowCreationFailed.FORBIDDEN, List.of("expired"));
        }
        ResourceView view =
            cache.connectable().stream()
                .filter(v -> v.id().equals(resourceId))
                .findFirst()
                .orElse(null);
        if (view == null) {
          yield failed(ref, resourceId, ClientOutbound.FlowCreationFailed.NOT_FOUND, List.of());
        }
        String domainProblem = domainProblem(view, create.domain());
        if (domainProblem != null) {
          yield error(ref, "invalid_domain", domainProblem);
        }
        pending.put(ref, new Pending(resourceId, now.plus(flowTimeout)));
        yield List.of(
            new Action.SetupFlow(
                ref, allowed, view, create.connectedGatewayIds(), create.domain()));
      }
    };
  }

  /**
   * A {@code dns} resource's flow names the domain the client resolved (it must fall under the
   * resource's address, and its proxy addresses in {@value #PROXY_RANGE}); other resources have
   * none. Returns what is wrong, or null.
   */
  static String domainProblem(ResourceView view, ProxiedDomain domain) {
    if (view.type() != ResourceType.DNS) {
      return domain == null
          ? null
          : "resource "
              + view.id()
              + " is of type "
              + view.type().sqlName()
              + " and takes no domain";
    }
    if (domain == null) {
      return "resource " + view.id() + " is a dns resource: create_flow needs its domain";
    }
    if (!DomainPattern.matches(view.address(), domain.name())) {
      return "domain " + domain.name() + " is not under resource address " + view.address();
    }
    for (String ip : domain.proxyIps()) {
      if (!inProxyRange(ip)) {
        return "proxy address " + ip + " is not in " + PROXY_RANGE;
      }
    }
    return null;
  }

  /** Proxy addresses of DNS resources (DESIGN.md, "Addresses"). */
  public static final String PROXY_RANGE = "100.96.0.0/11";

  private static boolean inProxyRange(String ip) {
    String[] parts = ip.split("\\.", -1);
    if (parts.length != 4) {
      return false;
    }
    int[] octets = new int[4];
    for (int i = 0; i < 4; i++) {
      if (!parts[i].matches("\\d{1,3}")) {
        return false;
      }
      octets[i] = Integer.parseInt(parts[i]);
      if (octets[i] > 255) {
        return false;
      }
    }
    return octets[0] == 100 && (octets[1] & 0xe0) == 96;
  }

  /**
   * The outcome of a {@link Action.SetupFlow}: {@code created} when the gateway authorized it,
   * otherwise {@code failureReason} ({@code offline}). Answers that arrive after the request timed
   * out are ignored.
   */
  public List<Action> onFlowAnswer(
      String ref, ClientOutbound.FlowCreated created, String failureReason) {
    return onFlowAnswer(ref, created, failureReason, null);
  }

  /** As {@link #onFlowAnswer(String, ClientOutbound.FlowCreated, String)}, with a detail. */
  public List<Action> onFlowAnswer(
      String ref, ClientOutbound.FlowCreated created, String failureReason, String detail) {
    Pending p = pending.remove(ref);
    if (p == null) {
      return List.of();
    }
    if (created != null) {
      return List.of(new Action.Send(Envelope.of(ref, created)));
    }
    return List.of(
        new Action.Send(
            Envelope.of(
                ref,
                new ClientOutbound.FlowCreationFailed(
                    p.resourceId(), failureReason, List.of(), detail))));
  }

  /** Answers {@code offline} to requests whose gateway did not confirm in time. */
  public List<Action> expire(Instant now) {
    List<Action> out = new ArrayList<>();
    for (Iterator<Map.Entry<String, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, Pending> e = it.next();
      if (!e.getValue().deadline().isAfter(now)) {
        it.remove();
        out.addAll(
            failed(
                e.getKey(),
                e.getValue().resourceId(),
                ClientOutbound.FlowCreationFailed.OFFLINE,
                List.of()));
      }
    }
    return out;
  }

  /** A change from the CDC stream. */
  public List<Action> onChange(Change<?> change, Instant now) {
    if (Long.compareUnsigned(change.commitLsn(), floorLsn) < 0) {
      droppedBeforeFloor++;
      return List.of();
    }
    return deltas(cache.apply(change, now));
  }

  /** Periodic re-evaluation (time windows, expiries). */
  public List<Action> recompute(Instant now) {
    return deltas(cache.recompute(now));
  }

  public List<Action> onResourceLoaded(Row.Resource resource, List<UUID> siteIds, Instant now) {
    return deltas(cache.loadResource(resource, siteIds, now));
  }

  public List<Action> onHydrated(ClientSnapshot snapshot, Instant now) {
    return deltas(cache.hydrate(snapshot, now));
  }

  private List<Action> deltas(List<ClientDelta> deltas) {
    if (deltas.isEmpty()) {
      return List.of();
    }
    List<Action> out = new ArrayList<>(deltas.size());
    for (ClientDelta d : deltas) {
      out.add(
          switch (d) {
            case ClientDelta.ResourceCreatedOrUpdated c ->
                new Action.Send(
                    Envelope.of(
                        null,
                        new ClientOutbound.ResourceCreatedOrUpdated(Views.describe(c.resource()))));
            case ClientDelta.ResourceDeleted r ->
                new Action.Send(
                    Envelope.of(null, new ClientOutbound.ResourceDeleted(r.resourceId())));
            case ClientDelta.ResourceRequired r -> new Action.LoadResource(r.resourceId());
            case ClientDelta.HydrationRequired h -> new Action.Rehydrate(h.reason());
            case ClientDelta.Disconnect x -> new Action.Close(x.reason());
          });
    }
    return out;
  }

  private static List<Action> failed(
      String ref, UUID resourceId, String reason, List<String> violated) {
    return List.of(
        new Action.Send(
            Envelope.of(ref, new ClientOutbound.FlowCreationFailed(resourceId, reason, violated))));
  }

  private static List<Action> error(String ref, String reason, String detail) {
    return List.of(new Action.Send(Envelope.of(ref, new ErrorReply(reason, detail))));
  }

  public UUID clientId() {
    return clientId;
  }

  public ClientCache cache() {
    return cache;
  }

  public int pendingFlows() {
    return pending.size();
  }

  /** Changes dropped because the hydration snapshot already held them. */
  public long droppedBeforeFloor() {
    return droppedBeforeFloor;
  }
}
