package dev.gatehouse.relay.turn;

import static dev.gatehouse.relay.stun.TurnProtocol.*;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.stun.ChannelData;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunAttribute.ChannelNumber;
import dev.gatehouse.relay.stun.StunAttribute.Data;
import dev.gatehouse.relay.stun.StunAttribute.EvenPort;
import dev.gatehouse.relay.stun.StunAttribute.Lifetime;
import dev.gatehouse.relay.stun.StunAttribute.RequestedAddressFamily;
import dev.gatehouse.relay.stun.StunAttribute.RequestedTransport;
import dev.gatehouse.relay.stun.StunAttribute.XorMappedAddress;
import dev.gatehouse.relay.stun.StunAttribute.XorPeerAddress;
import dev.gatehouse.relay.stun.StunAttribute.XorRelayedAddress;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.turn.RelayAction.CloseRelay;
import dev.gatehouse.relay.turn.RelayAction.OpenRelay;
import dev.gatehouse.relay.turn.RelayAction.ToClient;
import dev.gatehouse.relay.turn.RelayAction.ToPeer;
import dev.gatehouse.relay.turn.RelayMetrics.Direction;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.random.RandomGenerator;

/**
 * The sans-IO TURN server (RFC 8656 over RFC 8489): every input is a datagram or an event plus the
 * current monotonic time, every output a list of {@link RelayAction}s for the edge to carry out. No
 * sockets, threads or clocks: credential expiry reads the injected {@link InstantSource}.
 *
 * <p>Not thread-safe: the edge calls it from one event loop. Byte arrays passed in may be
 * referenced by returned {@link ToPeer} actions and must stay unchanged until those are done.
 * Hostile input never throws: it is dropped and counted in {@link RelayMetrics}, or answered with
 * the error response the RFCs prescribe.
 */
public final class Allocations {
  private static final List<RelayAction> NONE = List.of();

  private final TurnConfig config;
  private final TurnAuthenticator authenticator;
  private final TurnReplies replies;
  private final PeerPolicy peerPolicy;
  private final RandomGenerator random;
  private final RelayMetrics metrics;
  private final Map<FiveTuple, Allocation> byTuple = new HashMap<>();
  private final Map<InetSocketAddress, Allocation> byRelay = new HashMap<>();
  private final Map<String, Integer> perUsername = new HashMap<>();
  private final Map<String, TokenBucket> buckets = new HashMap<>();

  /** An authenticated request in flight. */
  private record Request(FiveTuple tuple, StunMessage message, String username, byte[] key) {}

  /**
   * @param nonceKey secret key of the stateless nonces (random per process in production)
   * @param wallClock wall-clock time, for the expiry of credentials only
   * @param random transaction ids of Data indications
   */
  public Allocations(
      TurnConfig config,
      RelayCredentials credentials,
      byte[] nonceKey,
      InstantSource wallClock,
      RandomGenerator random,
      RelayMetrics metrics) {
    this.config = config;
    this.authenticator =
        new TurnAuthenticator(
            config.realm(), credentials, nonceKey, config.nonceLifetime(), wallClock);
    this.replies = new TurnReplies(config.software());
    this.peerPolicy = new PeerPolicy(config.allowLoopbackPeers());
    this.random = random;
    this.metrics = metrics;
  }

  /** Allocations, pending or active. */
  public int size() {
    return byTuple.size();
  }

  // ------------------------------------------------------------------ inputs

  /** A datagram from a client to the listening socket: STUN or ChannelData (RFC 7983 demux). */
  public List<RelayAction> onClientDatagram(
      FiveTuple tuple, byte[] buf, int off, int len, long nowNanos) {
    if (off >= 0 && len > 0 && off < buf.length && ChannelData.looksLikeChannelData(buf[off])) {
      return switch (ChannelData.parse(buf, off, len)) {
        case ChannelData.Frame f -> onChannelData(tuple, f, buf, nowNanos);
        case ChannelData.Rejected r -> drop(DropReason.MALFORMED);
      };
    }
    return switch (StunMessage.parse(buf, off, len)) {
      case StunParseResult.Rejected r -> drop(DropReason.MALFORMED);
      case StunParseResult.Parsed p -> onStun(tuple, p.message(), nowNanos);
    };
  }

  /** A datagram from {@code peer} that arrived on the relayed socket {@code relay}. */
  public List<RelayAction> onPeerDatagram(
      InetSocketAddress relay, InetSocketAddress peer, byte[] buf, int off, int len, long now) {
    Allocation a = byRelay.get(relay);
    if (a == null) {
      return drop(DropReason.NO_ALLOCATION);
    }
    DropReason refused = refusal(a, peer, len, now);
    if (refused != null) {
      return drop(refused);
    }
    int channel = a.channels.channelOf(peer, now);
    byte[] datagram =
        channel >= 0
            ? ChannelData.encode(channel, buf, off, len, config.padChannelData())
            : replies.dataIndication(transactionId(), peer, buf, off, len);
    metrics.relayed(Direction.PEER_TO_CLIENT, len);
    return List.of(new ToClient(a.tuple.client(), datagram));
  }

  /** The edge bound {@code relay} for the pending allocation of {@code owner}. */
  public List<RelayAction> onRelayOpened(FiveTuple owner, InetSocketAddress relay, long now) {
    Allocation a = byTuple.get(owner);
    if (a == null || a.active()) {
      return List.of(new CloseRelay(relay)); // the allocation went away meanwhile
    }
    a.relay = relay;
    a.advertised = new InetSocketAddress(config.relayAddress(), relay.getPort());
    a.expiresAt = now + a.lifetimeNanos;
    byRelay.put(relay, a);
    metrics.allocationCreated();
    metrics.allocationsNow(byRelay.size());
    a.successResponse =
        replies.success(
            METHOD_ALLOCATE,
            a.allocateTransactionId,
            a.key,
            new XorRelayedAddress(a.advertised),
            new Lifetime(a.lifetimeNanos / 1_000_000_000L),
            new XorMappedAddress(owner.client()));
    return List.of(new ToClient(owner.client(), a.successResponse));
  }

  /** The edge could not bind a relayed socket for {@code owner}: answer 508. */
  public List<RelayAction> onRelayFailed(FiveTuple owner, long now) {
    Allocation a = byTuple.get(owner);
    if (a == null || a.active()) {
      return NONE;
    }
    remove(a);
    metrics.errorResponse(ERROR_INSUFFICIENT_CAPACITY);
    return List.of(
        new ToClient(
            owner.client(),
            replies.error(
                METHOD_ALLOCATE, a.allocateTransactionId, a.key, ERROR_INSUFFICIENT_CAPACITY)));
  }

  /**
   * Timers: deletes expired allocations (closing their relayed sockets) and prunes expired
   * permissions and channel bindings. Call about once a second.
   */
  public List<RelayAction> poll(long now) {
    List<Allocation> expired = new ArrayList<>();
    for (Allocation a : byTuple.values()) {
      if (a.expired(now)) {
        expired.add(a);
      } else {
        a.permissions.expire(now);
        a.channels.expire(now);
      }
    }
    List<RelayAction> out = new ArrayList<>();
    for (Allocation a : expired) {
      out.add(new CloseRelay(a.relay));
      remove(a);
    }
    return out;
  }

  // ------------------------------------------------------------------ STUN dispatch

  private List<RelayAction> onStun(FiveTuple tuple, StunMessage m, long now) {
    return switch (m.messageClass()) {
      case REQUEST -> onRequest(tuple, m, now);
      case INDICATION ->
          m.method() == METHOD_SEND ? onSend(tuple, m, now) : drop(DropReason.UNEXPECTED_MESSAGE);
      case SUCCESS_RESPONSE, ERROR_RESPONSE -> drop(DropReason.UNEXPECTED_MESSAGE);
    };
  }

  private List<RelayAction> onRequest(FiveTuple tuple, StunMessage m, long now) {
    metrics.request(m.method());
    byte[] tx = m.transactionId();
    int method = m.method();
    if (method == METHOD_BINDING) {
      // RFC 8489 §6.3.1: a plain STUN server answer, no authentication.
      return toClient(
          tuple, replies.success(method, tx, null, new XorMappedAddress(tuple.client())));
    }
    if (method != METHOD_ALLOCATE
        && method != METHOD_REFRESH
        && method != METHOD_CREATE_PERMISSION
        && method != METHOD_CHANNEL_BIND) {
      metrics.drop(DropReason.UNEXPECTED_MESSAGE);
      return errorTo(tuple, method, tx, null, ERROR_BAD_REQUEST, "Unknown method");
    }
    return switch (authenticator.authenticate(m, tuple.client(), now)) {
      case TurnAuthenticator.Challenge c -> {
        metrics.drop(c.why());
        yield errorTo(
            tuple,
            method,
            tx,
            null,
            c.code(),
            TurnReplies.reasonPhrase(c.code()),
            new StunAttribute.Realm(authenticator.realm()),
            new StunAttribute.Nonce(authenticator.nonce(tuple.client(), now)));
      }
      case TurnAuthenticator.BadRequest b -> {
        metrics.drop(DropReason.BAD_CREDENTIALS);
        yield errorTo(tuple, method, tx, null, ERROR_BAD_REQUEST, b.reason());
      }
      case TurnAuthenticator.Authenticated a ->
          onAuthenticated(new Request(tuple, m, a.username(), a.key()), now);
    };
  }

  private List<RelayAction> onAuthenticated(Request r, long now) {
    List<Integer> unknown = unknownComprehensionRequired(r.message);
    if (!unknown.isEmpty()) {
      return fail(r, ERROR_UNKNOWN_ATTRIBUTE, new StunAttribute.UnknownAttributes(unknown));
    }
    int method = r.message.method();
    if (method == METHOD_ALLOCATE) {
      return onAllocate(r);
    }
    // The other methods act on the 5-tuple's allocation, with the credentials that made it.
    Allocation a = byTuple.get(r.tuple);
    if (a == null || !a.active()) {
      return fail(r, ERROR_ALLOCATION_MISMATCH);
    }
    if (!a.username.equals(r.username)) {
      return fail(r, ERROR_WRONG_CREDENTIALS);
    }
    return switch (method) {
      case METHOD_REFRESH -> onRefresh(r, a, now);
      case METHOD_CREATE_PERMISSION -> onCreatePermission(r, a, now);
      default -> onChannelBind(r, a, now);
    };
  }

  // ------------------------------------------------------------------ methods

  /** RFC 8656 §7.2, in its order of checks. */
  private List<RelayAction> onAllocate(Request r) {
    StunMessage m = r.message;
    Allocation existing = byTuple.get(r.tuple);
    if (existing != null) {
      if (java.util.Arrays.equals(existing.allocateTransactionId, m.transactionId())) {
        // A retransmission: resend the response, or wait while the socket is being bound.
        return existing.successResponse == null
            ? NONE
            : toClient(r.tuple, existing.successResponse);
      }
      return fail(r, ERROR_ALLOCATION_MISMATCH);
    }
    RequestedTransport transport = m.attribute(RequestedTransport.class);
    if (transport == null) {
      return fail(r, ERROR_BAD_REQUEST, "REQUESTED-TRANSPORT is missing");
    }
    if (transport.protocol() != TRANSPORT_UDP) {
      return fail(r, ERROR_UNSUPPORTED_TRANSPORT);
    }
    if (m.attribute(StunAttribute.DontFragment.class) != null) {
      // §7.2: a server that cannot set DF treats DONT-FRAGMENT as unknown comprehension-required.
      return fail(
          r,
          ERROR_UNKNOWN_ATTRIBUTE,
          new StunAttribute.UnknownAttributes(List.of(ATTR_DONT_FRAGMENT)));
    }
    EvenPort even = m.attribute(EvenPort.class);
    RequestedAddressFamily family = m.attribute(RequestedAddressFamily.class);
    if (hasReservationToken(m)) {
      return even != null || family != null
          ? fail(r, ERROR_BAD_REQUEST, "RESERVATION-TOKEN excludes EVEN-PORT and address family")
          : fail(r, ERROR_INSUFFICIENT_CAPACITY, "No reservations are held");
    }
    if (even != null && even.reserveNext()) {
      return fail(r, ERROR_INSUFFICIENT_CAPACITY, "Port reservations are not supported");
    }
    if (family != null && family.family() != relayFamily()) {
      return fail(r, ERROR_ADDRESS_FAMILY_NOT_SUPPORTED);
    }
    if (perUsername.getOrDefault(r.username, 0) >= config.allocationQuota()) {
      return fail(r, ERROR_ALLOCATION_QUOTA_REACHED);
    }
    long seconds = lifetimeSeconds(m.attribute(Lifetime.class));
    if (seconds == 0) {
      seconds = config.defaultLifetime().toSeconds();
    }
    Allocation a =
        new Allocation(
            r.tuple, r.username, r.key, m.transactionId(), seconds * 1_000_000_000L, config);
    byTuple.put(r.tuple, a);
    perUsername.merge(r.username, 1, Integer::sum);
    return List.of(new OpenRelay(r.tuple, even != null));
  }

  /** RFC 8656 §8: LIFETIME 0 deletes, anything else restarts the timer. */
  private List<RelayAction> onRefresh(Request r, Allocation a, long now) {
    long seconds = lifetimeSeconds(r.message.attribute(Lifetime.class));
    List<RelayAction> out = new ArrayList<>(ok(r, new Lifetime(seconds)));
    if (seconds == 0) {
      out.add(new CloseRelay(a.relay));
      remove(a);
    } else {
      a.expiresAt = now + seconds * 1_000_000_000L;
    }
    return out;
  }

  /** RFC 8656 §10.2: all peers are checked before any permission is installed. */
  private List<RelayAction> onCreatePermission(Request r, Allocation a, long now) {
    List<XorPeerAddress> peers = r.message.all(XorPeerAddress.class);
    if (peers.isEmpty()) {
      return fail(r, ERROR_BAD_REQUEST, "XOR-PEER-ADDRESS is missing");
    }
    for (XorPeerAddress p : peers) {
      List<RelayAction> refused = checkPeer(r, p.address().getAddress());
      if (refused != null) {
        return refused;
      }
    }
    for (XorPeerAddress p : peers) {
      a.permissions.install(p.address().getAddress(), now);
    }
    return ok(r);
  }

  /** RFC 8656 §12.2: range, peer and pairing checks; success also installs the permission. */
  private List<RelayAction> onChannelBind(Request r, Allocation a, long now) {
    ChannelNumber channel = r.message.attribute(ChannelNumber.class);
    XorPeerAddress peer = r.message.attribute(XorPeerAddress.class);
    if (channel == null || peer == null) {
      return fail(r, ERROR_BAD_REQUEST, "CHANNEL-NUMBER and XOR-PEER-ADDRESS are required");
    }
    if (channel.channel() < CHANNEL_MIN || channel.channel() > config.maxChannel()) {
      return fail(r, ERROR_BAD_REQUEST, "Channel number out of range");
    }
    List<RelayAction> refused = checkPeer(r, peer.address().getAddress());
    if (refused != null) {
      return refused;
    }
    return switch (a.channels.bind(channel.channel(), peer.address(), now)) {
      case ChannelBindings.Refused no -> fail(r, ERROR_BAD_REQUEST, no.reason());
      case ChannelBindings.Bound yes -> {
        a.permissions.install(peer.address().getAddress(), now);
        yield ok(r);
      }
    };
  }

  /** RFC 8656 §11.2: Send indications are silently dropped unless everything is in order. */
  private List<RelayAction> onSend(FiveTuple tuple, StunMessage m, long now) {
    Allocation a = byTuple.get(tuple);
    if (a == null || !a.active()) {
      return drop(DropReason.NO_ALLOCATION);
    }
    XorPeerAddress peer = m.attribute(XorPeerAddress.class);
    Data data = m.attribute(Data.class);
    if (peer == null || data == null) {
      return drop(DropReason.MALFORMED);
    }
    return toPeer(a, peer.address(), data.bytes(), 0, data.bytes().length, now);
  }

  /** RFC 8656 §12.6: ChannelData from the client goes to the channel's peer. */
  private List<RelayAction> onChannelData(
      FiveTuple tuple, ChannelData.Frame f, byte[] buf, long now) {
    Allocation a = byTuple.get(tuple);
    if (a == null || !a.active()) {
      return drop(DropReason.NO_ALLOCATION);
    }
    InetSocketAddress peer = a.channels.peerOf(f.channel(), now);
    if (peer == null) {
      return drop(DropReason.NO_CHANNEL);
    }
    return toPeer(a, peer, buf, f.dataOffset(), f.dataLength(), now);
  }

  private List<RelayAction> toPeer(
      Allocation a, InetSocketAddress peer, byte[] data, int off, int len, long now) {
    DropReason refused = refusal(a, peer, len, now);
    if (refused != null) {
      return drop(refused);
    }
    metrics.relayed(Direction.CLIENT_TO_PEER, len);
    return List.of(new ToPeer(a.relay, peer, data, off, len));
  }

  // ------------------------------------------------------------------ helpers

  /**
   * Why {@code len} bytes may not pass between allocation {@code a} and {@code peer} in either
   * direction (forbidden address, no permission for its IP, empty token bucket), or null.
   */
  private DropReason refusal(Allocation a, InetSocketAddress peer, int len, long now) {
    if (peerPolicy.forbids(peer.getAddress())) {
      return DropReason.FORBIDDEN_PEER;
    }
    if (!a.permissions.allows(peer.getAddress(), now)) {
      return DropReason.NO_PERMISSION;
    }
    if (!withinRate(a, len, now)) {
      return DropReason.RATE_LIMITED;
    }
    return null;
  }

  /** 443 for a peer of the other address family, 403 for a forbidden one, else null. */
  private List<RelayAction> checkPeer(Request r, InetAddress peer) {
    if (peer.getClass() != config.relayAddress().getClass()) {
      return fail(r, ERROR_PEER_ADDRESS_FAMILY_MISMATCH);
    }
    if (peerPolicy.forbids(peer)) {
      metrics.drop(DropReason.FORBIDDEN_PEER);
      return fail(r, ERROR_FORBIDDEN);
    }
    return null;
  }

  /**
   * RFC 8656 §7.2 and §8: {@code min(requested, max)}, but never below the default; 0 stays 0 (a
   * Refresh that deletes), no LIFETIME means the default.
   */
  private long lifetimeSeconds(Lifetime requested) {
    long def = config.defaultLifetime().toSeconds();
    if (requested == null) {
      return def;
    }
    if (requested.seconds() == 0) {
      return 0;
    }
    return Math.max(def, Math.min(requested.seconds(), config.maxLifetime().toSeconds()));
  }

  private int relayFamily() {
    return config.relayAddress() instanceof java.net.Inet6Address ? FAMILY_IPV6 : FAMILY_IPV4;
  }

  private boolean withinRate(Allocation a, int bytes, long now) {
    if (config.rateBytesPerSecond() == 0) {
      return true;
    }
    return buckets
        .computeIfAbsent(
            a.username,
            u -> new TokenBucket(config.rateBytesPerSecond(), config.rateBurstBytes(), now))
        .tryTake(bytes, now);
  }

  private void remove(Allocation a) {
    byTuple.remove(a.tuple);
    if (a.relay != null) {
      byRelay.remove(a.relay);
    }
    if (perUsername.merge(a.username, -1, Integer::sum) <= 0) {
      perUsername.remove(a.username);
      buckets.remove(a.username);
    }
    metrics.allocationsNow(byRelay.size());
  }

  private static boolean hasReservationToken(StunMessage m) {
    for (StunAttribute.Unknown u : m.all(StunAttribute.Unknown.class)) {
      if (u.type() == ATTR_RESERVATION_TOKEN) {
        return true;
      }
    }
    return false;
  }

  /** RFC 8489 §6.3.1: unknown attributes below 0x8000 (RESERVATION-TOKEN is handled). */
  private static List<Integer> unknownComprehensionRequired(StunMessage m) {
    return m.all(StunAttribute.Unknown.class).stream()
        .filter(u -> u.comprehensionRequired() && u.type() != ATTR_RESERVATION_TOKEN)
        .map(StunAttribute.Unknown::type)
        .distinct()
        .toList();
  }

  private byte[] transactionId() {
    byte[] tx = new byte[TRANSACTION_ID_SIZE];
    random.nextBytes(tx);
    return tx;
  }

  private List<RelayAction> ok(Request r, StunAttribute... attributes) {
    byte[] reply =
        replies.success(r.message.method(), r.message.transactionId(), r.key, attributes);
    return toClient(r.tuple, reply);
  }

  private List<RelayAction> fail(Request r, int code, StunAttribute... attributes) {
    return fail(r, code, TurnReplies.reasonPhrase(code), attributes);
  }

  private List<RelayAction> fail(Request r, int code, String reason, StunAttribute... attrs) {
    return errorTo(
        r.tuple, r.message.method(), r.message.transactionId(), r.key, code, reason, attrs);
  }

  private List<RelayAction> errorTo(
      FiveTuple tuple,
      int method,
      byte[] tx,
      byte[] key,
      int code,
      String reason,
      StunAttribute... attributes) {
    metrics.errorResponse(code);
    return toClient(tuple, replies.error(method, tx, key, code, reason, attributes));
  }

  private static List<RelayAction> toClient(FiveTuple tuple, byte[] datagram) {
    return List.of(new ToClient(tuple.client(), datagram));
  }

  private List<RelayAction> drop(DropReason reason) {
    metrics.drop(reason);
    return NONE;
  }
}
