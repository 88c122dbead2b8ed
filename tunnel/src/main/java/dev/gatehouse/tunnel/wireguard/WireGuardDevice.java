package dev.gatehouse.tunnel.wireguard;

import static dev.gatehouse.tunnel.wireguard.Protocol.TRANSPORT_HEADER_SIZE;

import dev.gatehouse.tunnel.sys.HeapSlices;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.random.RandomGenerator;

/**
 * The sans-IO WireGuard device: a static identity, its peers, the index table and the cryptokey
 * routing table. It turns IP packets into datagrams ({@link #encapsulate}), datagrams into IP
 * packets or replies ({@link #decapsulate}), and time into retransmissions and keepalives ({@link
 * #updateTimers}). It never does I/O and never reads the system clock: time comes from the {@link
 * TunnelClock} it was given.
 *
 * <p><b>Buffers.</b> {@code out} must be a heap {@link ByteBuffer} with room for the input plus
 * {@link #OVERHEAD}; the device clears it and, when the result carries bytes, leaves them between
 * position 0 and the limit. Inputs are read between position and limit and not modified.
 *
 * <p><b>Threads.</b> One thread may encapsulate while another decapsulates and a third polls
 * timers; per-peer state is guarded by the peer's monitor, keypairs lock each direction.
 *
 * <p><b>Protocol.</b> After every call, drain {@link #poll} until it returns {@link
 * TunnelResult.Done}: handshakes, keepalives and packets staged during a handshake come out there.
 */
public final class WireGuardDevice {
  /** Extra room {@code out} needs beyond the plaintext packet. */
  public static final int OVERHEAD = Keypair.OVERHEAD;

  /**
   * Device settings.
   *
   * @param timers timer values (§6.1)
   * @param underLoadHandshakesPerSecond handshake rate above which cookies are required; 0 means
   *     always
   * @param random source of jitter and indices (tests may pass a seeded one)
   */
  public record Config(
      TimerConfig timers, int underLoadHandshakesPerSecond, RandomGenerator random) {
    public static Config defaults() {
      return new Config(TimerConfig.defaults(), 1000, new java.security.SecureRandom());
    }

    public Config withTimers(TimerConfig t) {
      return new Config(t, underLoadHandshakesPerSecond, random);
    }

    public Config withUnderLoadThreshold(int perSecond) {
      return new Config(timers, perSecond, random);
    }
  }

  private enum WorkKind {
    INITIATION,
    INITIATION_RETRY,
    KEEPALIVE
  }

  private record Work(Peer peer, WorkKind kind) {}

  final StaticIdentity identity;
  final TunnelClock clock;
  private final Config config;
  final TimerConfig timerConfig;
  private final HandshakeReceiver handshakes;
  final IndexTable indices;
  private final AllowedIps<Peer> routes = new AllowedIps<>();
  final Map<ByteBuffer, Peer> peersByKey = new ConcurrentHashMap<>();
  private final ArrayDeque<Work> work = new ArrayDeque<>();
  final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);
  private long authenticated; // written by the receiving thread only, like Peer's rx counters

  public WireGuardDevice(StaticIdentity identity, TunnelClock clock, Config config) {
    this.identity = identity;
    this.clock = clock;
    this.config = config;
    this.timerConfig = config.timers();
    RandomGenerator r = config.random();
    this.indices = new IndexTable(r::nextInt);
    this.handshakes =
        new HandshakeReceiver(
            this,
            new CookieChecker(identity.publicKey()),
            new LoadMonitor(config.underLoadHandshakesPerSecond()));
  }

  /** This device's static identity. */
  public StaticIdentity identity() {
    return identity;
  }

  /** Adds a peer and its allowed IPs. */
  public Peer addPeer(PeerConfig pc) {
    // Timer jitter needs no secrecy (wireguard-go uses fastrandn) but is drawn on the data path,
    // after every received packet: a SecureRandom there costs a lock and, in bursts, a syscall.
    // Per peer, so the peer's monitor guards it; seeded from the device's generator for tests.
    SplittableRandom jitter = new SplittableRandom(config.random().nextLong());
    Peer peer =
        new Peer(
            identity,
            pc,
            timerConfig,
            bound -> bound <= 0 ? 0 : jitter.nextLong(bound),
            clock.monotonicNanos());
    Peer old = peersByKey.putIfAbsent(ByteBuffer.wrap(pc.publicKey().clone()), peer);
    if (old != null) {
      throw new IllegalArgumentException("peer already present: " + old);
    }
    for (IpPrefix p : pc.allowedIps()) {
      routes.insert(p.address(), p.length(), peer);
    }
    return peer;
  }

  /**
   * Changes a peer's allowed IPs in place: its session, keys and timers stay, so traffic to the
   * prefixes it keeps goes on without a new handshake (as {@code wg set ... allowed-ips} does).
   */
  public void setAllowedIps(Peer peer, List<IpPrefix> allowedIps) {
    if (peersByKey.get(ByteBuffer.wrap(peer.publicKey())) != peer) {
      throw new IllegalArgumentException("not a peer of this device: " + peer);
    }
    routes.replaceAll(peer, allowedIps);
  }

  /** Removes a peer: its routes, indices and keys. */
  public void removePeer(Peer peer) {
    peersByKey.remove(ByteBuffer.wrap(peer.publicKey()));
    routes.removeAll(peer);
    synchronized (peer) {
      for (int i : peer.zeroKeys()) {
        indices.remove(i);
      }
      peer.timers.stopAll();
    }
  }

  /**
   * Moves the peer to another endpoint (as {@code wg set ... endpoint} does): its session and keys
   * stay, so a path change drops nothing. Roaming moves it back when an authenticated packet comes
   * from elsewhere.
   */
  public void setEndpoint(Peer peer, InetSocketAddress endpoint) {
    peer.setEndpoint(endpoint);
  }

  /**
   * Queues a handshake initiation to the peer's endpoint now, past the one-per-REKEY_TIMEOUT limit
   * (for a new path, whose first initiation should not wait for the old one's retry). {@link #poll}
   * produces it.
   */
  public void initiateHandshake(Peer peer) {
    synchronized (peer) {
      queueInitiation(peer, true);
    }
  }

  /** The peer with this static public key, or null. */
  public Peer peer(byte[] publicKey) {
    return peersByKey.get(ByteBuffer.wrap(publicKey));
  }

  /** All peers. */
  public List<Peer> peers() {
    return List.copyOf(peersByKey.values());
  }

  /** The cryptokey routing table (read it; change it through add/removePeer). */
  public AllowedIps<Peer> routes() {
    return routes;
  }

  /**
   * Datagrams that authenticated as some peer's (handshake messages and transport data) since the
   * start. Read on the receiving thread around one {@link #decapsulate}, it tells whether that
   * datagram was genuine.
   */
  public long authenticatedDatagrams() {
    return authenticated;
  }

  /** A datagram from {@code from} authenticated as {@code peer}'s: it roams there. */
  void authenticatedFrom(Peer peer, InetSocketAddress from) {
    authenticated++;
    peer.setEndpoint(from);
  }

  /** How many inputs were dropped for {@code reason}. */
  public long dropCount(DropReason reason) {
    return drops.get(reason.ordinal());
  }

  TunnelResult drop(DropReason reason) {
    drops.incrementAndGet(reason.ordinal());
    return TunnelResult.Dropped.of(reason);
  }

  // ---------------------------------------------------------------- outgoing IP packets

  /**
   * Encrypts the IP packet {@code packet} for the peer its destination routes to. Returns {@link
   * TunnelResult.WriteToNetwork} with the message in {@code out}, {@link TunnelResult.Done} when
   * the packet was staged waiting for a handshake (poll!), or {@link TunnelResult.Dropped}.
   */
  public TunnelResult encapsulate(ByteBuffer packet, ByteBuffer out) {
    return encapsulate(packet, out, null);
  }

  /**
   * {@link #encapsulate} for a batch encrypted in parallel: with a {@code ticket}, everything but
   * the encryption happens here, in the order of the calls (counters, timers, staging), and a
   * {@link TunnelResult.WriteToNetwork} means {@code out} is ready only after {@link
   * SealTicket#seal} (on any thread, each with its own lane). The packet is not copied when it
   * already sits in {@code out} at offset {@value Protocol#TRANSPORT_HEADER_SIZE}.
   */
  public TunnelResult encapsulate(ByteBuffer packet, ByteBuffer out, SealTicket ticket) {
    int len = packet.remaining();
    if (!out.hasArray() || out.capacity() < len + OVERHEAD) {
      return drop(DropReason.BUFFER_TOO_SMALL);
    }
    byte[] buf = out.array();
    int base = out.arrayOffset();
    int p = base + TRANSPORT_HEADER_SIZE;
    if (!packet.hasArray()
        || packet.array() != buf
        || packet.arrayOffset() + packet.position() != p) {
      packet.get(packet.position(), buf, p, len);
    }
    Peer peer = routeOf(buf, p, len);
    if (peer == null) {
      return drop(DropReason.NO_ROUTE);
    }
    return sendData(peer, buf, base, len, out, ticket);
  }

  private Peer routeOf(byte[] buf, int p, int len) {
    if (len < 1) {
      return null;
    }
    int version = (buf[p] >>> 4) & 0xf;
    if (version == 4 && len >= 20) {
      return routes.lookup(buf, p + 16, 4);
    }
    if (version == 6 && len >= 40) {
      return routes.lookup(buf, p + 24, 16);
    }
    return null;
  }

  private TunnelResult sendData(
      Peer peer, byte[] buf, int base, int len, ByteBuffer out, SealTicket ticket) {
    long now = clock.monotonicNanos();
    Keypair kp = peer.current;
    TunnelResult.WriteToNetwork target = peer.toNetwork();
    if (target == null) {
      return drop(DropReason.NO_ENDPOINT);
    }
    if (!Peer.canSend(kp, now, timerConfig)) {
      synchronized (peer) {
        if (!peer.stage(buf, base + TRANSPORT_HEADER_SIZE, len)) {
          drops.incrementAndGet(DropReason.STAGED_OVERFLOW.ordinal());
        }
        queueInitiation(peer, false);
      }
      return TunnelResult.DONE;
    }
    int n;
    if (ticket == null) {
      n = kp.seal(buf, base, len, timerConfig.rejectAfterMessages());
    } else {
      long counter = kp.reserve(buf, base, len, timerConfig.rejectAfterMessages());
      n = counter < 0 ? -1 : ticket.reserved(kp, buf, base, len, counter);
    }
    if (n < 0) {
      synchronized (peer) {
        peer.stage(buf, base + TRANSPORT_HEADER_SIZE, len);
        queueInitiation(peer, false);
      }
      return TunnelResult.DONE;
    }
    out.clear().limit(n);
    peer.addTx(n);
    synchronized (peer) {
      if (len > 0) {
        peer.timers.dataSent(now);
      }
      peer.timers.anyAuthenticatedPacketSent();
      peer.timers.anyAuthenticatedPacketTraversal(now);
      // §6.2: the initiator rekeys after REKEY_AFTER_MESSAGES or REKEY_AFTER_TIME.
      if (kp.initiator
          && (Long.compareUnsigned(kp.sendCounter(), timerConfig.rekeyAfterMessages()) >= 0
              || now - kp.createdNanos >= timerConfig.rekeyAfterTime().toNanos())) {
        queueInitiation(peer, false);
      }
    }
    return target;
  }

  /** Caller holds the peer's monitor. */
  private void queueInitiation(Peer peer, boolean retry) {
    if (peer.initiationQueued) {
      return;
    }
    peer.initiationQueued = true;
    synchronized (work) {
      work.addLast(new Work(peer, retry ? WorkKind.INITIATION_RETRY : WorkKind.INITIATION));
    }
  }

  void queueKeepalive(Peer peer) {
    synchronized (work) {
      work.addLast(new Work(peer, WorkKind.KEEPALIVE));
    }
  }

  /**
   * Produces the next queued datagram: a handshake initiation, a keepalive or a packet staged
   * during a handshake. Returns {@link TunnelResult.Done} when nothing is left.
   */
  public TunnelResult poll(ByteBuffer out) {
    while (true) {
      Work w;
      synchronized (work) {
        w = work.pollFirst();
      }
      if (w == null) {
        return TunnelResult.DONE;
      }
      TunnelResult r =
          switch (w.kind()) {
            case INITIATION, INITIATION_RETRY ->
                sendInitiation(w.peer(), w.kind() == WorkKind.INITIATION_RETRY, out);
            case KEEPALIVE -> sendKeepaliveOrStaged(w.peer(), out);
          };
      if (!(r instanceof TunnelResult.Done)) {
        return r;
      }
    }
  }

  private TunnelResult sendInitiation(Peer peer, boolean retry, ByteBuffer out) {
    long now = clock.monotonicNanos();
    synchronized (peer) {
      peer.initiationQueued = false;
      if (!retry
          && peer.sentHandshakeOnce
          && now - peer.lastSentHandshakeNanos < timerConfig.rekeyTimeout().toNanos()) {
        return TunnelResult.DONE; // §6.4: at most one initiation per REKEY_TIMEOUT
      }
      TunnelResult.WriteToNetwork target = peer.toNetwork();
      if (target == null) {
        return drop(DropReason.NO_ENDPOINT);
      }
      if (peer.hasPendingHandshakeIndex) {
        indices.remove(peer.pendingHandshakeIndex);
      }
      int index = indices.allocate(peer);
      byte[] msg = peer.handshake.createInitiation(index, clock.epochNanos());
      if (msg == null) {
        indices.remove(index);
        return drop(DropReason.HANDSHAKE_FAILED);
      }
      peer.pendingHandshakeIndex = index;
      peer.hasPendingHandshakeIndex = true;
      peer.cookies.addMacs(msg, Message.HandshakeInitiation.MAC1_OFFSET, now);
      peer.lastSentHandshakeNanos = now;
      peer.sentHandshakeOnce = true;
      peer.timers.anyAuthenticatedPacketTraversal(now);
      peer.timers.anyAuthenticatedPacketSent();
      peer.timers.handshakeInitiated(now);
      return writeOut(msg, out, target);
    }
  }

  private TunnelResult sendKeepaliveOrStaged(Peer peer, ByteBuffer out) {
    long now = clock.monotonicNanos();
    byte[] packet;
    synchronized (peer) {
      packet = peer.staged.pollFirst();
      if (packet != null && !peer.staged.isEmpty()) {
        queueKeepalive(peer); // come back for the rest
      }
    }
    Keypair kp = peer.current;
    if (!Peer.canSend(kp, now, timerConfig)) {
      synchronized (peer) {
        if (packet != null) {
          peer.staged.addFirst(packet);
        }
        queueInitiation(peer, false); // like wireguard-go: a keepalive needs a session
      }
      return TunnelResult.DONE;
    }
    int len = packet == null ? 0 : packet.length;
    if (!out.hasArray() || out.capacity() < len + OVERHEAD) {
      return drop(DropReason.BUFFER_TOO_SMALL);
    }
    byte[] buf = out.array();
    int base = out.arrayOffset();
    if (packet != null) {
      System.arraycopy(packet, 0, buf, base + TRANSPORT_HEADER_SIZE, len);
    }
    return sendData(peer, buf, base, len, out, null);
  }

  static TunnelResult writeOut(byte[] msg, ByteBuffer out, TunnelResult.WriteToNetwork target) {
    out.clear();
    out.put(msg).flip();
    return target;
  }

  // ---------------------------------------------------------------- incoming datagrams

  /**
   * Processes one datagram received from {@code from}. Returns {@link TunnelResult.WriteToTunnel}
   * with a decrypted IP packet in {@code out}, {@link TunnelResult.WriteToNetwork} with a handshake
   * response or cookie reply in {@code out}, {@link TunnelResult.Done}, or {@link
   * TunnelResult.Dropped}. Never throws on hostile input.
   */
  public TunnelResult decapsulate(ByteBuffer datagram, InetSocketAddress from, ByteBuffer out) {
    return decapsulate(datagram, from, out, 0);
  }

  /**
   * {@link #decapsulate} on a decryption {@code lane} ({@link Keypair#MAX_LANES}; 1 and up each
   * used by one thread only), so that transport messages of one batch decrypt in parallel; the
   * replay window still accepts each counter once. Handshake messages must come through one thread
   * at a time, in order.
   */
  public TunnelResult decapsulate(
      ByteBuffer datagram, InetSocketAddress from, ByteBuffer out, int lane) {
    int len = datagram.remaining();
    if (!out.hasArray() || out.capacity() < len) {
      return drop(DropReason.BUFFER_TOO_SMALL);
    }
    byte[] in;
    int off;
    if (datagram.hasArray()) {
      in = datagram.array();
      off = datagram.arrayOffset() + datagram.position();
    } else {
      in = new byte[len]; // direct input: copy (adapters hand in heap buffers)
      datagram.get(datagram.position(), in, 0, len);
      off = 0;
    }
    if (len >= Protocol.TRANSPORT_MIN_SIZE
        && in[off] == Protocol.TYPE_TRANSPORT
        && in[off + 1] == 0
        && in[off + 2] == 0
        && in[off + 3] == 0) {
      // hot path: no Message allocation, and the same code as for a datagram in native memory
      return receiveTransport(HeapSlices.current().at(in, off), 0, len, from, out, lane);
    }
    Message m = Message.parse(in, off, len);
    return switch (m) {
      case Message.HandshakeInitiation init -> handshakes.receiveInitiation(init, from, out);
      case Message.HandshakeResponse resp -> handshakes.receiveResponse(resp, from, out);
      case Message.CookieReply cookie -> handshakes.receiveCookie(cookie);
      case Message.TransportHeader t -> drop(DropReason.MALFORMED); // unreachable
      case Message.Invalid invalid -> drop(DropReason.MALFORMED);
    };
  }

  /**
   * {@link #decapsulate} of a datagram that lies in a segment, {@code datagram[off, off+len)} (the
   * socket's receive buffer, valid during the call): a transport message is decrypted from there
   * into {@code out} with no copy before it; anything else is copied to the heap first.
   */
  public TunnelResult decapsulate(
      MemorySegment datagram, long off, int len, InetSocketAddress from, ByteBuffer out) {
    if (!out.hasArray() || out.capacity() < len) {
      return drop(DropReason.BUFFER_TOO_SMALL);
    }
    if (len >= Protocol.TRANSPORT_MIN_SIZE
        && datagram.get(LE32, off) == Protocol.TYPE_TRANSPORT) { // type 4 and three zero bytes
      return receiveTransport(datagram, off, len, from, out, 0);
    }
    byte[] copy = new byte[len]; // handshakes and junk: rare, and parsed from the heap
    MemorySegment.copy(datagram, ValueLayout.JAVA_BYTE, off, copy, 0, len);
    return decapsulate(ByteBuffer.wrap(copy), from, out, 0);
  }

  private static final ValueLayout.OfInt LE32 =
      ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

  /** The transport message {@code in[off, off+len)}, on the heap or in native memory. */
  private TunnelResult receiveTransport(
      MemorySegment in, long off, int len, InetSocketAddress from, ByteBuffer out, int lane) {
    long now = clock.monotonicNanos();
    IndexTable.Entry e = indices.get(in.get(LE32, off + 4));
    if (e == null || e.keypair() == null) {
      return drop(DropReason.UNKNOWN_INDEX);
    }
    Keypair kp = e.keypair();
    Peer peer = e.peer();
    if (now - kp.createdNanos >= timerConfig.rejectAfterTime().toNanos()) {
      return drop(DropReason.KEYPAIR_EXPIRED);
    }
    byte[] dst = out.array();
    int base = out.arrayOffset();
    int n = kp.open(in, off, len, dst, base, timerConfig.rejectAfterMessages(), lane);
    if (n == Keypair.BAD_TAG) {
      return drop(DropReason.BAD_TAG);
    }
    if (n == Keypair.REPLAYED) {
      return drop(DropReason.REPLAYED_COUNTER);
    }
    peer.addRx(len);
    authenticatedFrom(peer, from);
    synchronized (peer) {
      long promoted = peer.confirmIfNext(kp);
      if (promoted != Peer.NOT_PROMOTED) {
        if (promoted >= 0) {
          indices.remove((int) promoted);
        }
        peer.timers.handshakeComplete();
        peer.handshakeCompleted(clock.epochNanos());
        if (!peer.staged.isEmpty()) {
          queueKeepalive(peer);
        }
      }
      peer.timers.anyAuthenticatedPacketReceived();
      peer.timers.anyAuthenticatedPacketTraversal(now);
      // §6.2: an initiator whose keypair nears REJECT_AFTER_TIME rekeys on receive, once.
      if (kp == peer.current
          && kp.initiator
          && !peer.sentLastMinuteHandshake
          && now - kp.createdNanos
              >= timerConfig.rejectAfterTime().toNanos()
                  - timerConfig.keepaliveTimeout().toNanos()
                  - timerConfig.rekeyTimeout().toNanos()) {
        peer.sentLastMinuteHandshake = true;
        queueInitiation(peer, false);
      }
      if (n == 0) {
        return TunnelResult.DONE; // keepalive
      }
      peer.timers.dataReceived(now);
    }
    int ipLen = ipLength(dst, base, n);
    if (ipLen < 0) {
      return drop(DropReason.NOT_IP);
    }
    int version = (dst[base] >>> 4) & 0xf;
    Peer owner = version == 4 ? routes.lookup(dst, base + 12, 4) : routes.lookup(dst, base + 8, 16);
    if (owner != peer) {
      return drop(DropReason.SOURCE_NOT_ALLOWED);
    }
    if (!peer.filter.permits(dst, base, ipLen)) {
      return drop(DropReason.FILTERED);
    }
    out.clear().limit(ipLen);
    return peer.toTunnel;
  }

  /** Length of the IP packet at the start of a decrypted payload, or -1. */
  static int ipLength(byte[] b, int off, int n) {
    if (n < 1) {
      return -1;
    }
    int version = (b[off] >>> 4) & 0xf;
    if (version == 4 && n >= 20) {
      int total = ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
      return total >= 20 && total <= n ? total : -1;
    }
    if (version == 6 && n >= 40) {
      int total = 40 + (((b[off + 4] & 0xff) << 8) | (b[off + 5] & 0xff));
      return total <= n ? total : -1;
    }
    return -1;
  }

  // ---------------------------------------------------------------- timers

  /**
   * Advances every peer's timers to the clock's current time and queues what is due
   * (retransmissions, keepalives, rehandshakes); drain {@link #poll} afterwards. Call it often,
   * e.g. every 100–250 ms.
   */
  public void updateTimers() {
    long now = clock.monotonicNanos();
    for (Peer peer : peersByKey.values()) {
      synchronized (peer) {
        int fired = peer.timers.expired(now);
        if ((fired & Timers.RETRANSMIT_HANDSHAKE) != 0) {
          if (peer.timers.countRetransmission()) {
            peer.staged.clear(); // §6.4: gave up after REKEY_ATTEMPT_TIME
            peer.timers.gaveUp(now);
          } else {
            queueInitiation(peer, true);
          }
        }
        if ((fired & Timers.NEW_HANDSHAKE) != 0) {
          queueInitiation(peer, false);
        }
        if ((fired & (Timers.SEND_KEEPALIVE | Timers.PERSISTENT_KEEPALIVE)) != 0) {
          queueKeepalive(peer);
        }
        if ((fired & Timers.ZERO_KEYS) != 0) {
          for (int i : peer.zeroKeys()) {
            indices.remove(i);
          }
        }
      }
    }
  }
}
