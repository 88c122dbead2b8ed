package dev.gatehouse.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunIntegrity;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.stun.TurnProtocol;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * An {@link Allocations} core with a fake clock, plus test clients that speak TURN to it the way a
 * real client would (challenge, then signed requests).
 */
final class TurnHarness {
  static final String SECRET = "relay-secret";
  static final String REALM = "gatehouse";
  static final InetSocketAddress SERVER = new InetSocketAddress("203.0.113.1", 3478);
  static final InetAddress RELAY_IP = address("203.0.113.1");

  final FakeClock clock = new FakeClock();
  final RelayMetrics metrics = new RelayMetrics();
  final Allocations core;
  private int nextRelayPort = 50000;

  TurnHarness() {
    this(TurnConfig.defaults(REALM, RELAY_IP));
  }

  /** A harness whose default config is changed by {@code tweak}. */
  static TurnHarness with(java.util.function.UnaryOperator<TurnConfig> tweak) {
    return new TurnHarness(tweak.apply(TurnConfig.defaults(REALM, RELAY_IP)));
  }

  TurnHarness(TurnConfig config) {
    core =
        new Allocations(
            config, new RelayCredentials(SECRET), new byte[32], clock, new Random(7), metrics);
  }

  static InetAddress address(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  static InetSocketAddress at(String ip, int port) {
    return new InetSocketAddress(address(ip), port);
  }

  void advance(Duration d) {
    clock.advance(d);
  }

  List<RelayAction> poll() {
    return core.poll(clock.nanos());
  }

  /** A client at {@code address} holding credentials for {@code salt}, valid for a day. */
  Client client(InetSocketAddress address, String salt) {
    return new Client(
        address, RelayCredentials.mint(SECRET, clock.instant().plusSeconds(86400), salt));
  }

  /** The single datagram sent to a client by {@code actions}, parsed. */
  static StunMessage reply(List<RelayAction> actions) {
    assertThat(actions).hasSize(1).first().isInstanceOf(RelayAction.ToClient.class);
    byte[] datagram = ((RelayAction.ToClient) actions.get(0)).datagram();
    StunParseResult r = StunMessage.parse(datagram, 0, datagram.length);
    assertThat(r).isInstanceOf(StunParseResult.Parsed.class);
    return ((StunParseResult.Parsed) r).message();
  }

  static int errorCode(StunMessage m) {
    assertThat(m.messageClass()).isEqualTo(StunClass.ERROR_RESPONSE);
    return m.attribute(StunAttribute.ErrorCode.class).code();
  }

  /** A TURN client: remembers the realm and nonce of the last challenge and signs requests. */
  final class Client {
    final InetSocketAddress address;
    final FiveTuple tuple;
    RelayCredentials.Minted credentials;
    String nonce;
    InetSocketAddress relay; // the edge's name of the relayed socket
    InetSocketAddress relayed; // XOR-RELAYED-ADDRESS
    private final Random random;

    Client(InetSocketAddress address, RelayCredentials.Minted credentials) {
      this.address = address;
      this.tuple = new FiveTuple(address, SERVER);
      this.credentials = credentials;
      this.random = new Random(address.getPort());
    }

    byte[] key() {
      return StunIntegrity.longTermKey(credentials.username(), REALM, credentials.password());
    }

    byte[] transactionId() {
      byte[] tx = new byte[12];
      random.nextBytes(tx);
      return tx;
    }

    List<RelayAction> send(byte[] datagram) {
      return core.onClientDatagram(tuple, datagram, 0, datagram.length, clock.nanos());
    }

    /** An unsigned request. */
    byte[] unsigned(int method, byte[] tx, StunAttribute... attributes) {
      StunMessage.Builder b = StunMessage.builder(StunClass.REQUEST, method, tx);
      for (StunAttribute a : attributes) {
        b.add(a);
      }
      return b.encode(null, true);
    }

    /** A request signed with the long-term key, with USERNAME, REALM and NONCE. */
    byte[] signed(int method, byte[] tx, StunAttribute... attributes) {
      StunMessage.Builder b = StunMessage.builder(StunClass.REQUEST, method, tx);
      for (StunAttribute a : attributes) {
        b.add(a);
      }
      b.add(new StunAttribute.Username(credentials.username()))
          .add(new StunAttribute.Realm(REALM))
          .add(new StunAttribute.Nonce(nonce));
      return b.encode(key(), true);
    }

    /**
     * Sends a signed request and returns the parsed reply, checking its MESSAGE-INTEGRITY; a 438
     * (stale nonce) is retried once with the fresh nonce.
     */
    StunMessage request(int method, StunAttribute... attributes) {
      byte[] tx = transactionId();
      StunMessage reply = reply(send(signed(method, tx, attributes)));
      if (reply.messageClass() == StunClass.ERROR_RESPONSE
          && reply.attribute(StunAttribute.ErrorCode.class).code() == 438) {
        nonce = reply.attribute(StunAttribute.Nonce.class).value(); // as clients do: retry once
        tx = transactionId();
        reply = reply(send(signed(method, tx, attributes)));
      }
      assertThat(reply.transactionId()).isEqualTo(tx);
      if (reply.hasIntegrity()) {
        assertThat(reply.verifyIntegrity(key())).as("response integrity").isTrue();
      }
      return reply;
    }

    /** Gets a nonce the way clients do: an unauthenticated request answered with 401. */
    void challenge() {
      StunMessage m =
          reply(
              send(
                  unsigned(
                      TurnProtocol.METHOD_ALLOCATE,
                      transactionId(),
                      new StunAttribute.RequestedTransport(17))));
      assertThat(errorCode(m)).isEqualTo(401);
      assertThat(m.hasIntegrity()).isFalse();
      assertThat(m.attribute(StunAttribute.Realm.class).value()).isEqualTo(REALM);
      nonce = m.attribute(StunAttribute.Nonce.class).value();
    }

    /** Sends an Allocate and returns the actions (an OpenRelay when accepted). */
    List<RelayAction> allocateActions(StunAttribute... extra) {
      List<StunAttribute> attrs = new ArrayList<>(List.of(extra));
      attrs.add(0, new StunAttribute.RequestedTransport(TurnProtocol.TRANSPORT_UDP));
      return send(
          signed(
              TurnProtocol.METHOD_ALLOCATE, transactionId(), attrs.toArray(StunAttribute[]::new)));
    }

    /** Challenge, Allocate, let the "edge" bind a port; returns the success response. */
    StunMessage allocate(StunAttribute... extra) {
      if (nonce == null) {
        challenge();
      }
      List<RelayAction> actions = allocateActions(extra);
      assertThat(actions).containsExactly(new RelayAction.OpenRelay(tuple, false));
      return opened();
    }

    /** The edge reports the relayed socket bound. */
    StunMessage opened() {
      relay = new InetSocketAddress("0.0.0.0", nextRelayPort++);
      StunMessage ok = reply(core.onRelayOpened(tuple, relay, clock.nanos()));
      assertThat(ok.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
      assertThat(ok.verifyIntegrity(key())).isTrue();
      relayed = ok.attribute(StunAttribute.XorRelayedAddress.class).address();
      return ok;
    }

    /** A Send indication to {@code peer}. */
    List<RelayAction> sendIndication(InetSocketAddress peer, byte[] data) {
      return send(
          StunMessage.builder(StunClass.INDICATION, TurnProtocol.METHOD_SEND, transactionId())
              .add(new StunAttribute.XorPeerAddress(peer))
              .add(new StunAttribute.Data(data))
              .encode());
    }

    /** A datagram from {@code peer} arriving at this client's relayed socket. */
    List<RelayAction> fromPeer(InetSocketAddress peer, byte[] data) {
      return core.onPeerDatagram(relay, peer, data, 0, data.length, clock.nanos());
    }
  }
}
