package dev.gatehouse.relay.paths;

import dev.gatehouse.relay.client.TurnClient;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.stun.TurnProtocol;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.ForwardingTransport;
import dev.gatehouse.tunnel.net.HostPort;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * The tunnel's UDP socket, also reaching peers through TURN relays: allocations are made from the
 * same socket as the WireGuard traffic, so a relayed peer is just another address to the tunnel.
 *
 * <ul>
 *   <li>Datagrams from a relay go to that allocation's {@link TurnClient}; the peer data in them
 *       comes out to the receiver as if the peer had sent it (the sender is the peer's address as
 *       the relay saw it), and later sends to that address go back through the same relay ("reply
 *       on the path it came from"). {@link #route} sends a peer's traffic through a relay before it
 *       has said anything.
 *   <li>STUN Binding requests from anyone are answered (the peer's direct-path probe); {@link
 *       #probe} sends one, and an answer from the probed address tells the {@link Listener} the
 *       direct path works.
 *   <li>Everything else passes through untouched. A peer whose traffic came through a relay is
 *       answered directly again once a datagram that reached us directly from its address is
 *       authenticated by the tunnel ({@link #authenticatedBy}); until then a forged datagram from
 *       that address moves nothing.
 * </ul>
 *
 * Each allocation permits every relay's address (two peers that each allocate reach each other
 * relay to relay) and whatever {@link #permit} adds. A lost allocation (refused, unanswered, or a
 * restarted relay answering a keepalive Refresh with 437) is made again with backoff and reported
 * again through {@link Listener#allocated}.
 *
 * <p>Threads: TURN state changes on the transport's thread; {@link #send} may be called from any.
 */
public final class RelayedTransport extends ForwardingTransport {

  /** A relay to allocate on, with the credentials the API node handed out. */
  public record Server(String id, InetSocketAddress address, String username, String password) {

    /** From the API node's {@code host:port} ({@code [v6]:port}); a host name is resolved here. */
    public static Server of(String id, String hostPort, String username, String password) {
      InetSocketAddress address = HostPort.parse(hostPort);
      if (address.isUnresolved()) {
        throw new IllegalArgumentException("cannot resolve relay " + hostPort);
      }
      return new Server(id, address, username, password);
    }
  }

  /** What the shell hears; called on the transport's thread, must not block. */
  public interface Listener {
    /** An allocation is up (or up again, perhaps at another address). */
    default void allocated(String relayId, InetSocketAddress relayed, InetSocketAddress mapped) {}

    /** An allocation was lost or refused; it is made again after a backoff. */
    default void lost(String relayId, String reason) {}

    /** {@code target} answered a {@link #probe}: a direct path to it works. */
    default void reachable(InetSocketAddress target) {}
  }

  static final long POLL_MILLIS = 100;
  static final long KEEPALIVE_NANOS = 5_000_000_000L;
  static final long RETRY_MIN_NANOS = 1_000_000_000L;
  static final long RETRY_MAX_NANOS = 30_000_000_000L;
  private static final HexFormat HEX = HexFormat.of();

  private static final class Allocation {
    volatile Server server;
    TurnClient turn;
    volatile InetSocketAddress relayed;
    InetSocketAddress mapped;
    long retryAt;
    long backoff = RETRY_MIN_NANOS;
    long refreshedAt;
    final Set<InetSocketAddress> bound = new HashSet<>();

    Allocation(Server server) {
      this.server = server;
    }
  }

  private final Listener listener;
  private final RandomGenerator random;
  private final Map<String, Allocation> byId = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Allocation> byServer = new ConcurrentHashMap<>();
  private final Map<InetSocketAddress, Allocation> routes = new ConcurrentHashMap<>();
  private final Set<InetAddress> permitted = ConcurrentHashMap.newKeySet();
  private final Map<String, InetSocketAddress> probes = new ConcurrentHashMap<>();
  private final AtomicLong relayedOut = new AtomicLong();
  private final AtomicLong relayedIn = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private final AtomicLong allocations = new AtomicLong();
  private volatile LongSupplier authenticated = () -> 0;

  public RelayedTransport(DatagramTransport inner, Listener listener, RandomGenerator random) {
    super(inner);
    this.listener = listener;
    this.random = random;
  }

  /**
   * The relays to allocate on: new ones are allocated at once, gone ones released, known ones keep
   * their allocation and use the new credentials when they allocate again.
   */
  public void setServers(List<Server> servers) {
    Set<String> ids = new HashSet<>();
    for (Server s : servers) {
      ids.add(s.id());
      Allocation a = byId.computeIfAbsent(s.id(), id -> new Allocation(s));
      a.server = s;
      byServer.put(s.address(), a);
    }
    for (Allocation a : List.copyOf(byId.values())) {
      if (!ids.contains(a.server.id())) {
        byId.remove(a.server.id());
        byServer.remove(a.server.address());
        release(a);
      }
    }
  }

  /**
   * How the tunnel counts the datagrams it authenticated, read on the transport's thread around
   * each delivery ({@code WireGuardDevice::authenticatedDatagrams}). Without it a direct datagram
   * never takes a peer off its relay.
   */
  public void authenticatedBy(LongSupplier count) {
    this.authenticated = count;
  }

  /** Lets {@code peer} reach us through every allocation (now and after re-allocation). */
  public void permit(InetAddress peer) {
    if (!permitted.add(peer)) {
      return;
    }
    long now = System.nanoTime();
    for (Allocation a : byId.values()) {
      byte[] req;
      synchronized (a) {
        req = a.relayed == null ? null : a.turn.createPermission(peer, now);
      }
      toRelay(a, req);
    }
  }

  /**
   * Sends what goes to {@code peer} through our allocation on the relay that holds {@code peer}
   * (its address is a relayed address there), or on any relay when none does. False when no
   * allocation is up.
   */
  public boolean route(InetSocketAddress peer) {
    Allocation best = null;
    for (Allocation a : byId.values()) {
      if (a.relayed != null
          && (best == null || a.server.address().getAddress().equals(peer.getAddress()))) {
        best = a;
      }
    }
    if (best == null) {
      return false;
    }
    routes.put(peer, best);
    return true;
  }

  /** Sends to {@code peer} directly again. */
  public void unroute(InetSocketAddress peer) {
    routes.remove(peer);
  }

  /** Whether what goes to {@code peer} goes through a relay. */
  public boolean isRelayed(InetSocketAddress peer) {
    return routes.containsKey(peer);
  }

  /**
   * A STUN Binding request to {@code target}, directly; its answer calls {@link
   * Listener#reachable}.
   */
  public void probe(InetSocketAddress target) {
    byte[] tx = new byte[TurnProtocol.TRANSACTION_ID_SIZE];
    random.nextBytes(tx);
    if (probes.size() > 1024) {
      probes.clear(); // unanswered probes are forgotten in bulk, never kept without bound
    }
    probes.put(HEX.formatHex(tx), target);
    inner.send(
        ByteBuffer.wrap(
            StunMessage.builder(StunClass.REQUEST, TurnProtocol.METHOD_BINDING, tx)
                .encode(null, true)),
        target);
    inner.flush();
  }

  /** Our relayed addresses, one per allocation that is up. */
  public List<InetSocketAddress> relayedAddresses() {
    List<InetSocketAddress> out = new ArrayList<>();
    for (Allocation a : byId.values()) {
      InetSocketAddress r = a.relayed;
      if (r != null) {
        out.add(r);
      }
    }
    return out;
  }

  /** Bytes of peer data sent through relays (before wrapping). */
  public long relayedBytesOut() {
    return relayedOut.get();
  }

  /** Bytes of peer data that came through relays. */
  public long relayedBytesIn() {
    return relayedIn.get();
  }

  /** Datagrams dropped here: STUN that was neither a probe nor its answer, sends with no relay. */
  public long dropped() {
    return dropped.get();
  }

  /** Allocations made since the start (re-allocations included). */
  public long allocationsMade() {
    return allocations.get();
  }

  @Override
  public void start(Receiver receiver) {
    inner.start(
        new Receiver() {
          @Override
          public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
            Allocation a = byServer.get(sender);
            if (a != null) {
              fromRelay(a, datagram, receiver);
            } else if (isStun(datagram)) {
              stun(datagram, sender);
            } else if (routes.containsKey(sender)) {
              // It reached us directly, so once the tunnel finds it genuine answers go back
              // directly: a peer behind a NAT has the same address through a relay and without.
              long before = authenticated.getAsLong();
              receiver.onDatagram(datagram, sender);
              if (authenticated.getAsLong() != before) {
                routes.remove(sender);
              }
            } else {
              receiver.onDatagram(datagram, sender);
            }
          }

          @Override
          public void onBurstEnd() {
            receiver.onBurstEnd();
          }
        });
    inner.schedule(this::poll, POLL_MILLIS);
  }

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    Allocation a = routes.get(to);
    if (a == null) {
      inner.send(datagram, to);
      return;
    }
    byte[] data = new byte[datagram.remaining()];
    datagram.duplicate().get(data);
    byte[] bind = null;
    byte[] wire;
    synchronized (a) {
      if (a.relayed == null) {
        dropped.incrementAndGet();
        return;
      }
      if (a.bound.add(to)) {
        bind = a.turn.bindChannel(to, System.nanoTime());
      }
      wire = a.turn.wrap(to, data, 0, data.length);
    }
    relayedOut.addAndGet(data.length);
    toRelay(a, bind);
    inner.send(ByteBuffer.wrap(wire), a.server.address());
  }

  @Override
  public void close() {
    for (Allocation a : byId.values()) {
      release(a);
    }
    inner.flush();
    inner.close();
  }

  // ---------------------------------------------------------------- the transport's thread

  private void fromRelay(Allocation a, ByteBuffer datagram, Receiver receiver) {
    byte[] buf = new byte[datagram.remaining()];
    datagram.duplicate().get(buf);
    TurnClient.Output out;
    synchronized (a) {
      if (a.turn == null) {
        dropped.incrementAndGet();
        return;
      }
      out = a.turn.onDatagram(buf, 0, buf.length, System.nanoTime());
    }
    handle(a, out, receiver);
  }

  private void poll() {
    long now = System.nanoTime();
    for (Allocation a : byId.values()) {
      TurnClient.Output out = TurnClient.Output.NONE;
      List<byte[]> extra = new ArrayList<>();
      synchronized (a) {
        if (a.turn == null) {
          if (now - a.retryAt >= 0) {
            Server s = a.server;
            a.turn = new TurnClient(s.username(), s.password(), random);
            extra.add(a.turn.allocate(now));
          }
        } else {
          out = a.turn.poll(now);
          if (a.relayed != null && now - a.refreshedAt >= KEEPALIVE_NANOS) {
            a.refreshedAt = now;
            byte[] r = a.turn.refresh(now);
            if (r != null) {
              extra.add(r);
            }
          }
        }
      }
      extra.forEach(b -> toRelay(a, b));
      handle(a, out, null);
    }
  }

  private void handle(Allocation a, TurnClient.Output out, Receiver receiver) {
    out.toRelay().forEach(b -> toRelay(a, b));
    for (TurnClient.Event e : out.events()) {
      switch (e) {
        case TurnClient.Event.Allocated up -> allocated(a, up);
        case TurnClient.Event.PeerData d -> {
          routes.put(d.peer(), a);
          relayedIn.addAndGet(d.data().length);
          if (receiver != null) {
            receiver.onDatagram(ByteBuffer.wrap(d.data()), d.peer());
          }
        }
        case TurnClient.Event.Failed f -> failed(a, f);
        case TurnClient.Event.PermissionCreated p -> {}
        case TurnClient.Event.ChannelBound b -> {}
      }
    }
    if (!out.toRelay().isEmpty()) {
      inner.flush();
    }
  }

  private void allocated(Allocation a, TurnClient.Event.Allocated up) {
    long now = System.nanoTime();
    Set<InetAddress> peers = new HashSet<>(permitted);
    for (Allocation other : byId.values()) {
      peers.add(other.server.address().getAddress());
    }
    List<byte[]> requests = new ArrayList<>();
    synchronized (a) {
      a.relayed = up.relayed();
      a.mapped = up.mapped();
      a.backoff = RETRY_MIN_NANOS;
      a.refreshedAt = now;
      for (InetAddress p : peers) {
        requests.add(a.turn.createPermission(p, now));
      }
    }
    allocations.incrementAndGet();
    requests.forEach(b -> toRelay(a, b));
    inner.flush();
    listener.allocated(a.server.id(), up.relayed(), up.mapped());
  }

  private void failed(Allocation a, TurnClient.Event.Failed f) {
    boolean lost = "ALLOCATE".equals(f.request()) || "REFRESH".equals(f.request());
    if (!lost) {
      listener.lost(a.server.id(), f.request() + " refused: " + f.code() + " " + f.reason());
      return;
    }
    synchronized (a) {
      a.turn = null;
      a.relayed = null;
      a.bound.clear();
      a.retryAt = System.nanoTime() + a.backoff;
      a.backoff = Math.min(a.backoff * 2, RETRY_MAX_NANOS);
    }
    routes.values().removeIf(r -> r == a);
    listener.lost(
        a.server.id(), f.request() + " " + (f.code() == 0 ? "" : f.code() + " ") + f.reason());
  }

  private void release(Allocation a) {
    byte[] bye;
    synchronized (a) {
      bye = a.relayed == null ? null : a.turn.release(System.nanoTime());
      a.relayed = null;
    }
    routes.values().removeIf(r -> r == a);
    toRelay(a, bye);
  }

  private void toRelay(Allocation a, byte[] wire) {
    if (wire != null) {
      inner.send(ByteBuffer.wrap(wire), a.server.address());
    }
  }

  /** STUN (RFC 8489 §5) rather than WireGuard: a Binding class and method, and the magic cookie. */
  static boolean isStun(ByteBuffer d) {
    int p = d.position();
    if (d.remaining() < TurnProtocol.HEADER_SIZE) {
      return false;
    }
    int b0 = d.get(p) & 0xff;
    int b1 = d.get(p + 1) & 0xff;
    return (b0 == 0x00 || b0 == 0x01) && b1 == 0x01 && d.getInt(p + 4) == TurnProtocol.MAGIC_COOKIE;
  }

  private void stun(ByteBuffer datagram, InetSocketAddress sender) {
    byte[] buf = new byte[datagram.remaining()];
    datagram.duplicate().get(buf);
    if (!(StunMessage.parse(buf, 0, buf.length) instanceof StunParseResult.Parsed parsed)
        || parsed.message().method() != TurnProtocol.METHOD_BINDING) {
      dropped.incrementAndGet();
      return;
    }
    StunMessage m = parsed.message();
    if (m.messageClass() == StunClass.REQUEST) {
      inner.send(
          ByteBuffer.wrap(
              StunMessage.builder(
                      StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, m.transactionId())
                  .add(new StunAttribute.XorMappedAddress(sender))
                  .encode(null, true)),
          sender);
      inner.flush();
      return;
    }
    InetSocketAddress target =
        m.messageClass() == StunClass.SUCCESS_RESPONSE
            ? probes.remove(HEX.formatHex(m.transactionId()))
            : null;
    if (target == null || !target.equals(sender)) {
      dropped.incrementAndGet();
      return;
    }
    listener.reachable(sender);
  }
}
