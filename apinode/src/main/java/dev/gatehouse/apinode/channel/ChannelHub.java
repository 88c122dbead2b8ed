package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.bus.NodeBus;
import dev.gatehouse.apinode.bus.NodeMessage;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.ChangeSink;
import dev.gatehouse.controlplane.cdc.LsnGuard;
import dev.gatehouse.controlplane.cdc.Row;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The channels of one node, indexed by peer, account and token. As the CDC {@link ChangeSink} it
 * routes each change to the channels of its account that care about its table (Firezone's account
 * topic); a deleted token disconnects its channels. As the receiver of {@link NodeMessage}s it
 * hands flow requests, answers and candidates to the right channel. Routing only enqueues work on
 * the channels' task queues; it never blocks on them.
 */
public final class ChannelHub implements ChangeSink {

  private static final Logger LOG = LoggerFactory.getLogger(ChannelHub.class);

  private final String nodeId;
  private final NodeBus bus;
  private final ChannelStore presence;
  private final NodeMetrics metrics;
  private final LsnGuard position;
  private final Map<UUID, ClientChannel> clients = new ConcurrentHashMap<>();
  private final Map<UUID, GatewayChannel> gateways = new ConcurrentHashMap<>();
  private final Map<UUID, Set<PeerChannel>> byAccount = new ConcurrentHashMap<>();
  private final Map<UUID, Set<PeerChannel>> byToken = new ConcurrentHashMap<>();

  public ChannelHub(String nodeId, NodeBus bus, ChannelStore presence, NodeMetrics metrics) {
    this.nodeId = nodeId;
    this.bus = bus;
    this.presence = presence;
    this.metrics = metrics;
    this.position = new LsnGuard("API node " + nodeId);
  }

  void register(ClientChannel c) {
    ClientChannel previous = clients.put(c.clientId(), c);
    if (previous != null && previous != c) {
      previous.disconnect("replaced by a newer connection of the same device");
    }
    index(c);
  }

  void register(GatewayChannel g) {
    GatewayChannel previous = gateways.put(g.gatewayId(), g);
    if (previous != null && previous != g) {
      previous.disconnect("replaced by a newer connection of the same gateway");
    }
    index(g);
  }

  private void index(PeerChannel c) {
    byAccount.compute(c.accountId(), (k, set) -> add(set, c));
    byToken.compute(c.tokenId(), (k, set) -> add(set, c));
  }

  private static Set<PeerChannel> add(Set<PeerChannel> set, PeerChannel c) {
    Set<PeerChannel> s = set != null ? set : ConcurrentHashMap.newKeySet();
    s.add(c);
    return s;
  }

  void unregister(ClientChannel c) {
    clients.remove(c.clientId(), c);
    unindex(c);
  }

  void unregister(GatewayChannel g) {
    gateways.remove(g.gatewayId(), g);
    unindex(g);
  }

  private void unindex(PeerChannel c) {
    // Empty sets are dropped so that churn of accounts and tokens does not accumulate keys.
    byAccount.computeIfPresent(
        c.accountId(), (k, set) -> set.remove(c) && set.isEmpty() ? null : set);
    byToken.computeIfPresent(c.tokenId(), (k, set) -> set.remove(c) && set.isEmpty() ? null : set);
  }

  // ---------------------------------------------------------------------------------------------
  // CDC

  /** Changes dropped by position: duplicates replayed after a reconnect, or out of order. */
  public long changesDropped() {
    return position.dropped();
  }

  @Override
  public void accept(Change<?> change) {
    // A session that failed before its acknowledgement replays from the slot: drop what was seen.
    if (!position.admit(change)) {
      return;
    }
    if (change.table() == dev.gatehouse.controlplane.cdc.Table.TOKENS
        && change.op() == Change.Op.DELETE
        && change.oldRow() instanceof Row.Token t) {
      for (PeerChannel c : byToken.getOrDefault(t.id(), Set.of())) {
        c.disconnect("token deleted");
      }
      return;
    }
    Collection<PeerChannel> targets;
    UUID account = accountOf(change.row());
    if (account == null) {
      targets = byAccount.values().stream().flatMap(Set::stream).toList(); // truncates
    } else {
      targets = byAccount.getOrDefault(account, Set.of());
    }
    for (PeerChannel c : targets) {
      if (cares(c, change)) {
        metrics.changesRouted.incrementAndGet();
        c.onChange(change);
      }
    }
  }

  private static boolean cares(PeerChannel c, Change<?> change) {
    return switch (c) {
      case GatewayChannel g ->
          switch (change.table()) {
            case FLOWS -> {
              UUID id = g.gatewayId();
              yield change.oldRow() instanceof Row.Flow f && f.gatewayId().equals(id)
                  || change.newRow() instanceof Row.Flow n && n.gatewayId().equals(id)
                  || change.op() == Change.Op.TRUNCATE;
            }
            case RESOURCES, GATEWAYS -> true;
            default -> false;
          };
      case ClientChannel cc ->
          switch (change.table()) {
            // A device or actor change concerns only that device's or actor's channels (every
            // join updates its client row: fanning that out would cost O(clients^2) on a storm).
            case CLIENTS -> change.row() instanceof Row.Client r && r.id().equals(cc.clientId());
            case ACTORS -> change.row() instanceof Row.Actor r && r.id().equals(cc.actorId());
            case MEMBERSHIPS ->
                change.op() == Change.Op.TRUNCATE
                    || change.oldRow() instanceof Row.Membership m
                        && m.actorId().equals(cc.actorId())
                    || change.newRow() instanceof Row.Membership n
                        && n.actorId().equals(cc.actorId());
            case POLICIES, RESOURCES, RESOURCE_CONNECTIONS, GROUPS, ACCOUNTS -> true;
            default -> false;
          };
    };
  }

  private static UUID accountOf(Row row) {
    return switch (row) {
      case null -> null;
      case Row.Account r -> r.id();
      case Row.Actor r -> r.accountId();
      case Row.Group r -> r.accountId();
      case Row.Membership r -> r.accountId();
      case Row.Client r -> r.accountId();
      case Row.Token r -> r.accountId();
      case Row.Site r -> r.accountId();
      case Row.Gateway r -> r.accountId();
      case Row.Resource r -> r.accountId();
      case Row.ResourceConnection r -> r.accountId();
      case Row.Policy r -> r.accountId();
      case Row.Flow r -> r.accountId();
    };
  }

  // ---------------------------------------------------------------------------------------------
  // Between nodes

  /** Sends to a node; to this node it is delivered directly. */
  void send(String node, NodeMessage message) {
    if (nodeId.equals(node)) {
      receive(message);
    } else {
      bus.send(node, message);
    }
  }

  /** A message addressed to this node. */
  public void receive(NodeMessage message) {
    switch (message) {
      case NodeMessage.AuthorizeFlow a -> {
        GatewayChannel g = gateways.get(a.request().gatewayId());
        if (g != null) {
          g.authorize(a.request());
        } else {
          send(
              a.request().clientNode(),
              new NodeMessage.FlowAnswer(
                  a.request().clientId(), a.request().clientRef(), null, "offline"));
        }
      }
      case NodeMessage.FlowAnswer f -> {
        ClientChannel c = clients.get(f.clientId());
        if (c != null) {
          c.onFlowAnswer(f.clientRef(), f.created(), f.failure(), f.detail());
        }
      }
      case NodeMessage.CandidatesForGateway m -> {
        GatewayChannel g = gateways.get(m.gatewayId());
        if (g != null) {
          g.candidatesFrom(m.clientId(), m.candidates());
        }
      }
      case NodeMessage.CandidatesForClient m -> {
        ClientChannel c = clients.get(m.clientId());
        if (c != null) {
          c.candidatesFrom(m.gatewayId(), m.candidates());
        }
      }
    }
  }

  void relayToGateways(UUID clientId, List<UUID> gatewayIds, List<String> candidates) {
    for (UUID g : gatewayIds) {
      try {
        presence
            .nodeOfGateway(g)
            .ifPresent(n -> send(n, new NodeMessage.CandidatesForGateway(g, clientId, candidates)));
      } catch (java.sql.SQLException e) {
        LOG.warn("cannot relay candidates to gateway {}: {}", g, e.toString());
      }
    }
  }

  void relayToClients(UUID gatewayId, List<UUID> clientIds, List<String> candidates) {
    for (UUID c : clientIds) {
      try {
        presence
            .nodeOfClient(c)
            .ifPresent(n -> send(n, new NodeMessage.CandidatesForClient(c, gatewayId, candidates)));
      } catch (java.sql.SQLException e) {
        LOG.warn("cannot relay candidates to client {}: {}", c, e.toString());
      }
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Periodic work: client caches re-evaluate time-based conditions, gateways prune. */
  public void tick(boolean recomputeClients) {
    if (recomputeClients) {
      clients.values().forEach(ClientChannel::recompute);
    }
    gateways.values().forEach(GatewayChannel::prune);
  }

  /** Closes every channel (node shutting down). */
  public void disconnectAll(String reason, boolean reconnect) {
    clients.values().forEach(c -> c.disconnect(reason, reconnect));
    gateways.values().forEach(g -> g.disconnect(reason, reconnect));
  }

  public int clientCount() {
    return clients.size();
  }

  public int gatewayCount() {
    return gateways.size();
  }

  public ClientChannel client(UUID id) {
    return clients.get(id);
  }

  public GatewayChannel gateway(UUID id) {
    return gateways.get(id);
  }
}
