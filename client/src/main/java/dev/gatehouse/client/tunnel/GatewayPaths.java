package dev.gatehouse.client.tunnel;

import dev.gatehouse.protocol.Relay;
import dev.gatehouse.relay.paths.Candidate;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * Which path each gateway is reached on (the design in {@code relay/README.md}, "Path selection"):
 *
 * <ul>
 *   <li>A gateway starts on the direct endpoint the API node named. When it announces relayed
 *       candidates before a handshake completed there, the session moves to its relayed address at
 *       once: straight from our socket when the gateway has our server-reflexive address (we
 *       announce it; the relay is crossed once), else — or when no handshake completes that way
 *       within {@link #STRAIGHT_GRACE_NANOS} — through our own allocation (crossed twice, needing
 *       nothing from the gateway).
 *   <li>A gateway's direct candidates are the endpoint the API node named and the host and
 *       server-reflexive candidates it announces (its Service's load-balancer and node-port
 *       addresses, the address its relays see). While relayed, or while no handshake has completed
 *       yet, or while the direct path is silent and there is no relay, every direct candidate is
 *       probed every {@link #PROBE_EVERY_TICKS} ticks; the first answer promotes it — WireGuard
 *       keeps its session, the gateway roams on the next packet.
 *   <li>A direct path that goes silent — we keep sending, nothing comes back for {@link
 *       #DEMOTE_AFTER_NANOS} — is demoted to the relay (before the agent's 15 s dead-peer failover
 *       would ask for a new flow).
 *   <li>When our allocation comes back after a relay restart, relayed gateways are routed again.
 * </ul>
 *
 * <p>Thread-safe: called under the agent's lock and from the transport's thread.
 */
public final class GatewayPaths implements RelayedTransport.Listener {
  static final int PROBE_EVERY_TICKS = 8; // ticks are 250 ms: a probe every 2 s
  static final long DEMOTE_AFTER_NANOS = 5_000_000_000L;
  static final long STRAIGHT_GRACE_NANOS = 3_000_000_000L;
  static final long DIRECT_TRUSTED_NANOS = 10_000_000_000L;

  /** Sends candidate lines to gateways ({@code broadcast_ice_candidates}). */
  public interface Announcer {
    void announce(List<String> candidates, List<UUID> gateways);
  }

  /** One gateway's paths and what the selection knows of them. */
  private static final class Gateway {
    Peer peer;
    InetSocketAddress named; // the endpoint the API node named
    InetSocketAddress direct; // the direct candidate in use, or to come back to: named or announced
    List<InetSocketAddress> announced = List.of(); // the gateway's host and reflexive candidates
    List<InetSocketAddress> relayed = List.of();
    boolean ownAllocationOnly; // the straight path did not work: cross the relay twice
    boolean initiate; // a handshake over the relay is due on the next tick
    boolean initiateAgain; // and once more a second later, in case the permission was late
    long movedAt;
    boolean directAnswered; // a probe of the direct path came back (since the last demotion)
    long directAnsweredAt;
    long handshakesAtMove;
    long rx = -1; // silence on the direct path: rx bytes last seen, tx then, since when
    long txAtRx;
    long rxSince;
    boolean silent; // the direct path went silent and there is no relay to fall back on
    long silentRx; // rx bytes when it did: anything more and it is not silent any more

    /** Every direct path to try, the named endpoint first. */
    List<InetSocketAddress> directs() {
      List<InetSocketAddress> all = new ArrayList<>();
      if (named != null) {
        all.add(named);
      }
      announced.stream().filter(a -> !all.contains(a)).forEach(all::add);
      return all;
    }
  }

  private final WireGuardDevice device;
  private final Consumer<String> log;
  private final Announcer announcer;
  private final Map<UUID, Gateway> gateways = new HashMap<>();
  private final Map<String, InetSocketAddress> mapped = new LinkedHashMap<>();
  private final Map<String, InetSocketAddress> ownRelayed = new LinkedHashMap<>();
  private RelayedTransport transport;
  private int ticks;

  GatewayPaths(WireGuardDevice device, Consumer<String> log, Announcer announcer) {
    this.device = device;
    this.log = log;
    this.announcer = announcer;
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
    Gateway g = gateways.computeIfAbsent(gatewayId, k -> new Gateway());
    g.peer = peer;
    g.named = direct;
    g.direct = direct;
    g.ownAllocationOnly = false;
    g.silent = false;
    announce(List.of(gatewayId));
    if (!g.relayed.isEmpty()) {
      moveToRelay(gatewayId, g); // candidates came before the flow
    }
  }

  synchronized void removed(UUID gatewayId) {
    Gateway g = gateways.remove(gatewayId);
    if (g != null) {
      g.relayed.forEach(transport::unroute);
    }
  }

  synchronized void candidates(UUID gatewayId, List<String> lines) {
    List<InetSocketAddress> relayed = new ArrayList<>();
    List<InetSocketAddress> direct = new ArrayList<>();
    for (String line : lines) {
      Candidate.parse(line)
          .ifPresent(c -> (c.type() == Candidate.Type.RELAY ? relayed : direct).add(c.address()));
    }
    Gateway g = gateways.computeIfAbsent(gatewayId, k -> new Gateway());
    g.relayed.stream().filter(a -> !relayed.contains(a)).forEach(transport::unroute);
    g.relayed = List.copyOf(relayed);
    g.announced = List.copyOf(direct);
    if (g.peer != null && !relayed.isEmpty() && wantsRelay(g)) {
      moveToRelay(gatewayId, g); // kept for the flow to come when there is no peer yet
    }
  }

  /**
   * Every client tick: due handshakes over relays, the straight path's grace, silent direct paths,
   * and now and then a probe of the direct candidates of gateways not on a proven direct path.
   */
  synchronized void tick() {
    long now = System.nanoTime();
    boolean probe = ++ticks % PROBE_EVERY_TICKS == 0;
    gateways.forEach(
        (id, g) -> {
          if (g.peer == null) {
            return;
          }
          if (g.initiate) {
            g.initiate = false;
            device.initiateHandshake(g.peer);
          } else if (g.initiateAgain
              && now - g.movedAt >= 1_000_000_000L
              && g.peer.handshakesCompleted() == g.handshakesAtMove) {
            g.initiateAgain = false;
            device.initiateHandshake(g.peer);
          }
          boolean relayed = onRelay(g);
          boolean silent = !relayed && silent(g, now);
          if (g.silent && g.peer.rxBytes() != g.silentRx) {
            g.silent = false;
          }
          if (relayed
              && g.direct != null
              && g.directAnswered
              && now - g.directAnsweredAt < DIRECT_TRUSTED_NANOS) {
            // WireGuard roamed back on a datagram the gateway sent over the relay before it saw
            // our first direct one: the direct path still works, stay on it.
            device.setEndpoint(g.peer, g.direct);
            return;
          }
          if (relayed
              && !g.ownAllocationOnly
              && !transport.isRelayed(g.peer.endpoint())
              && g.peer.handshakesCompleted() == g.handshakesAtMove
              && now - g.movedAt >= STRAIGHT_GRACE_NANOS) {
            log.accept(
                "path to gateway "
                    + id
                    + ": no handshake straight to its relayed address, through our allocation");
            g.ownAllocationOnly = true;
            moveToRelay(id, g);
          } else if (silent && !g.relayed.isEmpty()) {
            log.accept(
                "path to gateway "
                    + id
                    + ": direct "
                    + describe(g.peer.endpoint())
                    + " silent for "
                    + DEMOTE_AFTER_NANOS / 1_000_000_000L
                    + " s, back to the relay");
            g.rx = -1;
            g.directAnswered = false;
            moveToRelay(id, g);
          } else if (probe && (relayed || g.peer.handshakesCompleted() == 0 || g.silent)) {
            g.directs().forEach(transport::probe);
          }
          if (silent && g.relayed.isEmpty() && !g.silent) {
            g.silent = true;
            g.silentRx = g.peer.rxBytes();
            log.accept(
                "path to gateway "
                    + id
                    + ": direct "
                    + describe(g.peer.endpoint())
                    + " silent, probing its other candidates");
          }
        });
  }

  /** Whether we sent to the peer since it last sent us anything, that long ago. */
  private static boolean silent(Gateway g, long now) {
    long rx = g.peer.rxBytes();
    if (rx != g.rx) {
      g.rx = rx;
      g.txAtRx = g.peer.txBytes();
      g.rxSince = now;
      return false;
    }
    return g.peer.txBytes() > g.txAtRx && now - g.rxSince >= DEMOTE_AFTER_NANOS;
  }

  /** How the gateway is reached, for the status. */
  synchronized String describe(UUID gatewayId) {
    Gateway g = gateways.get(gatewayId);
    if (g == null || g.peer == null || g.peer.endpoint() == null) {
      return "no path";
    }
    InetSocketAddress e = g.peer.endpoint();
    if (!onRelay(g)) {
      return "direct " + describe(e);
    }
    return "relayed " + describe(e) + (transport.isRelayed(e) ? " (via our allocation)" : "");
  }

  /** On one of the gateway's relayed addresses, straight or through our allocation. */
  private boolean onRelay(Gateway g) {
    InetSocketAddress e = g.peer.endpoint();
    return e != null && (g.relayed.contains(e) || transport.isRelayed(e));
  }

  /**
   * No session yet, or one that is not on the direct path: the endpoint only ever roams to where
   * authenticated packets came from, so anything but the direct endpoint is a relay (perhaps one
   * whose allocation is gone).
   */
  private static boolean wantsRelay(Gateway g) {
    return g.peer.handshakesCompleted() == 0 || !g.peer.endpoint().equals(g.direct);
  }

  private static String describe(InetSocketAddress a) {
    return a.getAddress().getHostAddress() + ":" + a.getPort();
  }

  private void moveToRelay(UUID gatewayId, Gateway g) {
    if (g.peer == null || g.relayed.isEmpty()) {
      return;
    }
    InetSocketAddress r = g.relayed.getFirst();
    if (!g.ownAllocationOnly && !mapped.isEmpty()) {
      // The gateway permits our reflexive address once our announcement reaches it: the first
      // initiation goes on the next tick, after that round trip.
      transport.unroute(r);
      device.setEndpoint(g.peer, r);
      start(g);
      log.accept("path to gateway " + gatewayId + ": relayed " + describe(r));
      return;
    }
    for (InetSocketAddress candidate : g.relayed) {
      if (transport.route(candidate)) {
        device.setEndpoint(g.peer, candidate);
        start(g);
        log.accept(
            "path to gateway " + gatewayId + ": relayed " + describe(candidate) + " (via ours)");
        return;
      }
    }
    log.accept("path to gateway " + gatewayId + ": relayed candidates, but no allocation yet");
  }

  private static void start(Gateway g) {
    g.initiate = true;
    g.initiateAgain = true;
    g.movedAt = System.nanoTime();
    g.handshakesAtMove = g.peer.handshakesCompleted();
  }

  /** Tells these gateways our reflexive and relayed addresses, so they permit them. */
  private void announce(List<UUID> to) {
    List<String> lines = new ArrayList<>();
    mapped.values().stream()
        .distinct()
        .forEach(m -> lines.add(new Candidate(Candidate.Type.SRFLX, m).line()));
    ownRelayed.values().forEach(r -> lines.add(Candidate.relay(r).line()));
    if (!lines.isEmpty() && !to.isEmpty()) {
      announcer.announce(lines, to);
    }
  }

  @Override
  public synchronized void allocated(
      String relayId, InetSocketAddress relayed, InetSocketAddress reflexive) {
    log.accept("relay " + relayId + ": allocated " + relayed + " (we are " + reflexive + " to it)");
    if (reflexive != null) {
      mapped.put(relayId, reflexive);
    }
    ownRelayed.put(relayId, relayed);
    announce(
        gateways.entrySet().stream()
            .filter(e -> e.getValue().peer != null)
            .map(Map.Entry::getKey)
            .toList());
    gateways.forEach(
        (id, g) -> {
          if (g.peer != null && !g.relayed.isEmpty() && wantsRelay(g)) {
            moveToRelay(id, g);
          }
        });
  }

  @Override
  public synchronized void lost(String relayId, String reason) {
    log.accept("relay " + relayId + ": " + reason + "; allocating again");
    mapped.remove(relayId);
    ownRelayed.remove(relayId);
  }

  /**
   * A direct candidate answered our probe. It becomes the gateway's path when the gateway is on a
   * relay, when no handshake has completed on the endpoint in use and that endpoint has not
   * answered itself, or when the direct path in use went silent with no relay to fall back on.
   */
  @Override
  public synchronized void reachable(InetSocketAddress target) {
    long now = System.nanoTime();
    gateways.forEach(
        (id, g) -> {
          if (g.peer == null || !g.directs().contains(target)) {
            return;
          }
          InetSocketAddress current = g.peer.endpoint();
          boolean currentAnswered =
              target.equals(current)
                  || g.directAnswered && current != null && current.equals(g.direct);
          String why;
          if (onRelay(g)) {
            why = "promoted from relay";
          } else if (g.silent && !target.equals(current)) {
            why = "the path in use went silent";
          } else if (g.peer.handshakesCompleted() == 0 && !currentAnswered) {
            why = (current == null ? "no endpoint" : describe(current)) + " never answered";
            g.initiate = true;
          } else {
            if (target.equals(g.direct)) {
              g.directAnswered = true;
              g.directAnsweredAt = now;
            }
            return;
          }
          g.direct = target;
          g.directAnswered = true;
          g.directAnsweredAt = now;
          g.silent = false;
          g.rx = -1;
          if (current != null) {
            transport.unroute(current);
          }
          device.setEndpoint(g.peer, target);
          log.accept("path to gateway " + id + ": direct " + describe(target) + " (" + why + ")");
        });
  }
}
