package dev.gatehouse.client.tunnel;

import dev.gatehouse.protocol.Relay;
import dev.gatehouse.relay.paths.Candidate;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Which path each gateway is reached on (the design in {@code relay/README.md}, "Path selection"):
 * a gateway starts on the direct endpoint the API node named; when it announces relayed candidates
 * before a handshake completed there, the session moves to the relay at once (a new handshake over
 * it); while on a relay, the direct endpoint is probed every {@link #PROBE_EVERY_TICKS} ticks, and
 * the first answer promotes it — WireGuard keeps its session, the gateway roams on the next packet.
 * When our own allocation comes back after a relay restart, relayed gateways are routed through it
 * again. A direct path that goes silent — we keep sending, nothing comes back for {@link
 * #DEMOTE_AFTER_NANOS} — is demoted: the session goes back over the relay (before the agent's
 * dead-peer failover, 15 s, would ask for a new flow), and probing may promote it again later.
 *
 * <p>Thread-safe: called under the agent's lock and from the transport's thread.
 */
public final class GatewayPaths implements RelayedTransport.Listener {
  static final int PROBE_EVERY_TICKS = 8; // ticks are 250 ms: a probe every 2 s
  static final long DEMOTE_AFTER_NANOS = 5_000_000_000L;

  /** What came back from a gateway: its received bytes, our sent bytes then, and since when. */
  private static final class Progress {
    long rx = -1;
    long txAtRx;
    long since;
  }

  private record Gateway(Peer peer, InetSocketAddress direct, List<InetSocketAddress> relayed) {}

  private final WireGuardDevice device;
  private final Consumer<String> log;
  private final Map<UUID, Gateway> gateways = new HashMap<>();
  private final Map<UUID, Progress> progress = new HashMap<>();
  private RelayedTransport transport;
  private int ticks;

  GatewayPaths(WireGuardDevice device, Consumer<String> log) {
    this.device = device;
    this.log = log;
  }

  synchronized void attach(RelayedTransport transport) {
    this.transport = transport;
  }

  synchronized void useRelays(List<Relay> relays) {
    transport.setServers(servers(relays, log));
  }

  /**
   * The relays {@code init} named, as servers to allocate on; one that cannot be used (its address
   * does not parse or resolve) is logged and skipped, the others still work.
   */
  public static List<RelayedTransport.Server> servers(List<Relay> relays, Consumer<String> log) {
    List<RelayedTransport.Server> servers = new ArrayList<>();
    for (Relay r : relays) {
      try {
        servers.add(RelayedTransport.Server.of(r.id(), r.addr(), r.username(), r.password()));
      } catch (IllegalArgumentException e) {
        log.accept("relay " + r.id() + " skipped: " + e.getMessage());
      }
    }
    log.accept("relays: " + servers.stream().map(x -> x.id() + "@" + x.address()).toList());
    return servers;
  }

  synchronized void added(UUID gatewayId, Peer peer, InetSocketAddress direct) {
    Gateway before = gateways.get(gatewayId);
    List<InetSocketAddress> relayed = before == null ? List.of() : before.relayed();
    gateways.put(gatewayId, new Gateway(peer, direct, relayed));
    if (!relayed.isEmpty()) {
      moveToRelay(gatewayId, gateways.get(gatewayId)); // candidates came before the flow
    }
  }

  synchronized void removed(UUID gatewayId) {
    progress.remove(gatewayId);
    Gateway g = gateways.remove(gatewayId);
    if (g != null) {
      g.relayed().forEach(transport::unroute);
    }
  }

  synchronized void candidates(UUID gatewayId, List<String> lines) {
    List<InetSocketAddress> relayed = new ArrayList<>();
    for (String line : lines) {
      Candidate.parse(line)
          .filter(c -> c.type() == Candidate.Type.RELAY)
          .ifPresent(c -> relayed.add(c.address()));
    }
    Gateway g = gateways.get(gatewayId);
    if (g == null) {
      gateways.put(gatewayId, new Gateway(null, null, relayed)); // kept for the flow to come
      return;
    }
    g.relayed().stream().filter(a -> !relayed.contains(a)).forEach(transport::unroute);
    Gateway now = new Gateway(g.peer(), g.direct(), relayed);
    gateways.put(gatewayId, now);
    if (!relayed.isEmpty() && wantsRelay(now)) {
      moveToRelay(gatewayId, now);
    }
  }

  /**
   * Every client tick: demote silent direct paths, and now and then probe the direct paths of
   * relayed gateways.
   */
  synchronized void tick() {
    long now = System.nanoTime();
    boolean probe = ++ticks % PROBE_EVERY_TICKS == 0;
    gateways.forEach(
        (id, g) -> {
          if (g.peer() == null) {
            return;
          }
          boolean relayed = transport.isRelayed(g.peer().endpoint());
          if (!relayed && silent(id, g.peer(), now) && !g.relayed().isEmpty()) {
            log.accept(
                "path to gateway "
                    + id
                    + ": direct "
                    + describe(g.peer().endpoint())
                    + " silent for "
                    + DEMOTE_AFTER_NANOS / 1_000_000_000L
                    + " s, back to the relay");
            progress.remove(id);
            moveToRelay(id, g);
          } else if (relayed && probe && g.direct() != null) {
            transport.probe(g.direct());
          }
        });
  }

  /** Whether we sent to the peer since it last sent us anything, that long ago. */
  private boolean silent(UUID id, Peer peer, long now) {
    Progress p = progress.computeIfAbsent(id, k -> new Progress());
    long rx = peer.rxBytes();
    if (rx != p.rx) {
      p.rx = rx;
      p.txAtRx = peer.txBytes();
      p.since = now;
      return false;
    }
    return peer.txBytes() > p.txAtRx && now - p.since >= DEMOTE_AFTER_NANOS;
  }

  /** How the gateway is reached, for the status. */
  synchronized String describe(UUID gatewayId) {
    Gateway g = gateways.get(gatewayId);
    if (g == null || g.peer() == null || g.peer().endpoint() == null) {
      return "no path";
    }
    InetSocketAddress e = g.peer().endpoint();
    return (transport.isRelayed(e) ? "relayed " : "direct ") + describe(e);
  }

  /**
   * No session yet, or one that is not on the direct path: the endpoint only ever roams to where
   * authenticated packets came from, so anything but the direct endpoint is a relay (perhaps one
   * whose allocation is gone).
   */
  private static boolean wantsRelay(Gateway g) {
    return g.peer().handshakesCompleted() == 0 || !g.peer().endpoint().equals(g.direct());
  }

  private static String describe(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private void moveToRelay(UUID gatewayId, Gateway g) {
    if (g.peer() == null) {
      return;
    }
    for (InetSocketAddress r : g.relayed()) {
      if (transport.route(r)) {
        device.setEndpoint(g.peer(), r);
        device.initiateHandshake(g.peer());
        log.accept("path to gateway " + gatewayId + ": relayed " + describe(r));
        return;
      }
    }
    log.accept("path to gateway " + gatewayId + ": relayed candidates, but no allocation yet");
  }

  @Override
  public synchronized void allocated(
      String relayId, InetSocketAddress relayed, InetSocketAddress mapped) {
    log.accept("relay " + relayId + ": allocated " + relayed + " (we are " + mapped + " to it)");
    gateways.forEach(
        (id, g) -> {
          if (g.peer() != null && !g.relayed().isEmpty() && wantsRelay(g)) {
            moveToRelay(id, g);
          }
        });
  }

  @Override
  public void lost(String relayId, String reason) {
    log.accept("relay " + relayId + ": " + reason + "; allocating again");
  }

  @Override
  public synchronized void reachable(InetSocketAddress target) {
    gateways.forEach(
        (id, g) -> {
          if (target.equals(g.direct())
              && g.peer() != null
              && transport.isRelayed(g.peer().endpoint())) {
            device.setEndpoint(g.peer(), target);
            log.accept(
                "path to gateway "
                    + id
                    + ": direct "
                    + describe(target)
                    + " (promoted from relay)");
          }
        });
  }
}
