package dev.gatehouse.relay.client;

import dev.gatehouse.relay.stun.ChannelData;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunIntegrity;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.stun.TurnProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * One TURN allocation from the client's side (RFC 8656), sans-IO: the caller sends what it returns
 * to the relay's address, feeds back what arrives from there, and calls {@link #poll} now and then;
 * the time always comes in. It answers the relay's 401 challenge with the long-term credentials the
 * API node handed out (and a 438 with the fresh nonce), refreshes the allocation at half its
 * lifetime, permissions every {@value #PERMISSION_REFRESH_SECONDS} s and channel bindings every
 * {@value #CHANNEL_REFRESH_SECONDS} s, retransmits unanswered requests (RFC 8489 §6.2.1: RTO 500 ms
 * doubling, 7 tries), and wraps and unwraps peer data (ChannelData once a channel is bound, Send
 * and Data indications before). Responses that fail MESSAGE-INTEGRITY are ignored. One thread.
 */
public final class TurnClient {
  static final long PERMISSION_REFRESH_SECONDS = 240; // permissions last 300 s
  static final long CHANNEL_REFRESH_SECONDS = 540; // bindings last 600 s
  static final long RTO_NANOS = 500_000_000L;
  static final int MAX_TRIES = 7;
  private static final int FIRST_CHANNEL = 0x4000;

  /** What happened, in the order it happened. */
  public sealed interface Event {
    /** The allocation is up: peers reach the client at {@code relayed}. */
    record Allocated(InetSocketAddress relayed, InetSocketAddress mapped, long lifetimeSeconds)
        implements Event {}

    record PermissionCreated(InetAddress peer) implements Event {}

    record ChannelBound(InetSocketAddress peer, int channel) implements Event {}

    /** A datagram a peer sent to the relayed address. */
    record PeerData(InetSocketAddress peer, byte[] data) implements Event {}

    /** A request was refused or went unanswered; {@code code} 0 when unanswered. */
    record Failed(String request, int code, String reason) implements Event {}
  }

  /** Datagrams for the relay, and events for the caller. */
  public record Output(List<byte[]> toRelay, List<Event> events) {
    public static final Output NONE = new Output(List.of(), List.of());
  }

  private enum Kind {
    ALLOCATE,
    REFRESH,
    PERMISSION,
    CHANNEL
  }

  private record Request(
      Kind kind, InetAddress peerIp, InetSocketAddress peer, int channel, long lifetime) {}

  private static final class Pending {
    final Request request;
    byte[] wire;
    long sentAt;
    int tries = 1;
    boolean challenged;

    Pending(Request request, byte[] wire, long sentAt) {
      this.request = request;
      this.wire = wire;
      this.sentAt = sentAt;
    }
  }

  private final String username;
  private final String password;
  private final RandomGenerator random;
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<InetAddress, Long> permissions = new LinkedHashMap<>();
  private final Map<InetSocketAddress, Integer> channelOf = new HashMap<>();
  private final Map<Integer, InetSocketAddress> peerOf = new HashMap<>();
  private final Map<InetSocketAddress, Long> channelRefreshed = new HashMap<>();
  private String realm;
  private String nonce;
  private byte[] key;
  private InetSocketAddress relayed;
  private long lifetimeSeconds;
  private long refreshedAt;
  private int nextChannel = FIRST_CHANNEL;
  private String lastTransaction; // of the request send() made last

  public TurnClient(String username, String password, RandomGenerator random) {
    this.username = username;
    this.password = password;
    this.random = random;
  }

  public Optional<InetSocketAddress> relayedAddress() {
    return Optional.ofNullable(relayed);
  }

  /** The first Allocate (unauthenticated: the relay answers with its realm and nonce). */
  public byte[] allocate(long now) {
    return send(new Request(Kind.ALLOCATE, null, null, 0, 0), now);
  }

  /** Lets {@code peer} send to the relayed address (and us to it by indication). */
  public byte[] createPermission(InetAddress peer, long now) {
    requireAllocated();
    return send(new Request(Kind.PERMISSION, peer, null, 0, 0), now);
  }

  /** Binds a channel to {@code peer} (with its permission): 4 bytes of overhead per datagram. */
  public byte[] bindChannel(InetSocketAddress peer, long now) {
    requireAllocated();
    int channel = channelOf.computeIfAbsent(peer, p -> nextChannel++);
    return send(new Request(Kind.CHANNEL, null, peer, channel, 0), now);
  }

  /**
   * A Refresh now, keeping the lifetime, or null when one is already on its way. Cheap enough to
   * send every few seconds: a relay that restarted answers 437 (allocation mismatch), reported as
   * {@link Event.Failed} for {@code REFRESH}, and the caller allocates again.
   */
  public byte[] refresh(long now) {
    requireAllocated();
    return busy(Kind.REFRESH)
        ? null
        : send(new Request(Kind.REFRESH, null, null, 0, lifetimeSeconds), now);
  }

  /** Deletes the allocation (a Refresh with lifetime 0). */
  public byte[] release(long now) {
    requireAllocated();
    return send(new Request(Kind.REFRESH, null, null, 0, 0), now);
  }

  /** {@code data[off, off+len)} for {@code peer}, wrapped for the relay. */
  public byte[] wrap(InetSocketAddress peer, byte[] data, int off, int len) {
    Integer channel = channelOf.get(peer);
    if (channel != null && peerOf.containsKey(channel)) {
      return ChannelData.encode(channel, data, off, len, false);
    }
    return StunMessage.builder(StunClass.INDICATION, TurnProtocol.METHOD_SEND, transactionId())
        .add(new StunAttribute.XorPeerAddress(peer))
        .add(new StunAttribute.Data(Arrays.copyOfRange(data, off, off + len)))
        .encode();
  }

  /** A datagram from the relay. */
  public Output onDatagram(byte[] buf, int off, int len, long now) {
    if (len > 0 && ChannelData.looksLikeChannelData(buf[off])) {
      return channelData(buf, off, len);
    }
    if (!(StunMessage.parse(buf, off, len) instanceof StunParseResult.Parsed parsed)) {
      return Output.NONE;
    }
    StunMessage m = parsed.message();
    if (m.messageClass() == StunClass.INDICATION && m.method() == TurnProtocol.METHOD_DATA) {
      StunAttribute.XorPeerAddress from = m.attribute(StunAttribute.XorPeerAddress.class);
      StunAttribute.Data data = m.attribute(StunAttribute.Data.class);
      return from == null || data == null
          ? Output.NONE
          : events(new Event.PeerData(from.address(), data.bytes()));
    }
    boolean response =
        m.messageClass() == StunClass.SUCCESS_RESPONSE
            || m.messageClass() == StunClass.ERROR_RESPONSE;
    Pending p = response ? pending.get(hex(m.transactionId())) : null;
    if (p == null) {
      return Output.NONE;
    }
    if (key != null && m.hasIntegrity() && !m.verifyIntegrity(key)) {
      return Output.NONE; // forged or corrupted: the real answer may still come
    }
    return m.messageClass() == StunClass.ERROR_RESPONSE ? error(p, m, now) : success(p, m, now);
  }

  /** Retransmissions and refreshes that are due. */
  public Output poll(long now) {
    List<byte[]> out = new ArrayList<>();
    List<Event> events = new ArrayList<>();
    for (var it = pending.values().iterator(); it.hasNext(); ) {
      Pending p = it.next();
      if (now - p.sentAt < (RTO_NANOS << (p.tries - 1))) {
        continue;
      }
      if (p.tries >= MAX_TRIES) {
        it.remove();
        events.add(new Event.Failed(p.request.kind().name(), 0, "no answer from the relay"));
        continue;
      }
      p.tries++;
      p.sentAt = now;
      out.add(p.wire);
    }
    if (relayed != null && !busy(Kind.REFRESH)) {
      if (now - refreshedAt >= lifetimeSeconds * 1_000_000_000L / 2) {
        out.add(send(new Request(Kind.REFRESH, null, null, 0, lifetimeSeconds), now));
      }
      for (var e : new ArrayList<>(permissions.entrySet())) {
        if (now - e.getValue() >= PERMISSION_REFRESH_SECONDS * 1_000_000_000L) {
          permissions.put(e.getKey(), now);
          out.add(send(new Request(Kind.PERMISSION, e.getKey(), null, 0, 0), now));
        }
      }
      for (var e : new ArrayList<>(channelRefreshed.entrySet())) {
        if (now - e.getValue() >= CHANNEL_REFRESH_SECONDS * 1_000_000_000L) {
          channelRefreshed.put(e.getKey(), now);
          out.add(
              send(new Request(Kind.CHANNEL, null, e.getKey(), channelOf.get(e.getKey()), 0), now));
        }
      }
    }
    return new Output(out, events);
  }

  private Output success(Pending p, StunMessage m, long now) {
    pending.remove(hex(m.transactionId()));
    Request r = p.request;
    return switch (r.kind()) {
      case ALLOCATE -> {
        StunAttribute.XorRelayedAddress at = m.attribute(StunAttribute.XorRelayedAddress.class);
        StunAttribute.XorMappedAddress mapped = m.attribute(StunAttribute.XorMappedAddress.class);
        StunAttribute.Lifetime lifetime = m.attribute(StunAttribute.Lifetime.class);
        if (at == null || lifetime == null) {
          yield events(
              new Event.Failed("ALLOCATE", 0, "the relay's answer has no relayed address"));
        }
        relayed = at.address();
        lifetimeSeconds = lifetime.seconds();
        refreshedAt = now;
        yield events(
            new Event.Allocated(
                relayed, mapped == null ? null : mapped.address(), lifetimeSeconds));
      }
      case REFRESH -> {
        StunAttribute.Lifetime lifetime = m.attribute(StunAttribute.Lifetime.class);
        lifetimeSeconds = lifetime == null ? lifetimeSeconds : lifetime.seconds();
        refreshedAt = now;
        if (lifetimeSeconds == 0) {
          relayed = null;
        }
        yield Output.NONE;
      }
      case PERMISSION -> {
        boolean fresh = permissions.put(r.peerIp(), now) == null;
        yield fresh ? events(new Event.PermissionCreated(r.peerIp())) : Output.NONE;
      }
      case CHANNEL -> {
        boolean fresh = peerOf.put(r.channel(), r.peer()) == null;
        channelRefreshed.put(r.peer(), now);
        permissions.putIfAbsent(r.peer().getAddress(), now); // a binding installs a permission
        yield fresh ? events(new Event.ChannelBound(r.peer(), r.channel())) : Output.NONE;
      }
    };
  }

  private Output error(Pending p, StunMessage m, long now) {
    StunAttribute.ErrorCode code = m.attribute(StunAttribute.ErrorCode.class);
    int c = code == null ? 0 : code.code();
    StunAttribute.Nonce fresh = m.attribute(StunAttribute.Nonce.class);
    StunAttribute.Realm realmAttr = m.attribute(StunAttribute.Realm.class);
    boolean retry =
        fresh != null
            && ((c == TurnProtocol.ERROR_UNAUTHENTICATED && !p.challenged && realmAttr != null)
                || c == 438);
    pending.remove(hex(m.transactionId()));
    if (!retry) {
      return events(
          new Event.Failed(p.request.kind().name(), c, code == null ? "" : code.reason()));
    }
    if (realmAttr != null) {
      realm = realmAttr.value();
      key = StunIntegrity.longTermKey(username, realm, password);
    }
    nonce = fresh.value();
    byte[] again = send(p.request, now);
    pending.get(lastTransaction).challenged = true;
    return new Output(List.of(again), List.of());
  }

  private Output channelData(byte[] buf, int off, int len) {
    if (!(ChannelData.parse(buf, off, len) instanceof ChannelData.Frame f)) {
      return Output.NONE;
    }
    InetSocketAddress peer = peerOf.get(f.channel());
    if (peer == null) {
      return Output.NONE;
    }
    return events(
        new Event.PeerData(
            peer,
            Arrays.copyOfRange(buf, off + f.dataOffset(), off + f.dataOffset() + f.dataLength())));
  }

  private byte[] send(Request r, long now) {
    byte[] tx = transactionId();
    int method =
        switch (r.kind()) {
          case ALLOCATE -> TurnProtocol.METHOD_ALLOCATE;
          case REFRESH -> TurnProtocol.METHOD_REFRESH;
          case PERMISSION -> TurnProtocol.METHOD_CREATE_PERMISSION;
          case CHANNEL -> TurnProtocol.METHOD_CHANNEL_BIND;
        };
    StunMessage.Builder b = StunMessage.builder(StunClass.REQUEST, method, tx);
    switch (r.kind()) {
      case ALLOCATE -> b.add(new StunAttribute.RequestedTransport(TurnProtocol.TRANSPORT_UDP));
      case REFRESH -> b.add(new StunAttribute.Lifetime(r.lifetime()));
      case PERMISSION ->
          b.add(new StunAttribute.XorPeerAddress(new InetSocketAddress(r.peerIp(), 0)));
      case CHANNEL ->
          b.add(new StunAttribute.ChannelNumber(r.channel()))
              .add(new StunAttribute.XorPeerAddress(r.peer()));
    }
    byte[] wire;
    if (key == null) {
      wire = b.encode(null, true);
    } else {
      b.add(new StunAttribute.Username(username))
          .add(new StunAttribute.Realm(realm))
          .add(new StunAttribute.Nonce(nonce));
      wire = b.encode(key, true);
    }
    lastTransaction = hex(tx);
    pending.put(lastTransaction, new Pending(r, wire, now));
    return wire;
  }

  private boolean busy(Kind kind) {
    return pending.values().stream().anyMatch(p -> p.request.kind() == kind);
  }

  private void requireAllocated() {
    if (relayed == null) {
      throw new IllegalStateException("no allocation yet: wait for Event.Allocated");
    }
  }

  private byte[] transactionId() {
    byte[] tx = new byte[TurnProtocol.TRANSACTION_ID_SIZE];
    random.nextBytes(tx);
    return tx;
  }

  private static Output events(Event... events) {
    return new Output(List.of(), List.of(events));
  }

  private static String hex(byte[] b) {
    return java.util.HexFormat.of().formatHex(b);
  }
}
