package dev.gatehouse.relay.turn;

import static dev.gatehouse.relay.stun.TurnProtocol.*;
import static dev.gatehouse.relay.turn.TurnHarness.at;
import static dev.gatehouse.relay.turn.TurnHarness.errorCode;
import static dev.gatehouse.relay.turn.TurnHarness.reply;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunAttribute.Lifetime;
import dev.gatehouse.relay.stun.StunAttribute.XorPeerAddress;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.turn.RelayAction.CloseRelay;
import dev.gatehouse.relay.turn.RelayAction.ToPeer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The allocation lifecycle of RFC 8656 §7–§8, driven with a fake clock. */
class AllocationsTest {
  static final InetSocketAddress ALICE = at("192.0.2.10", 40001);
  static final InetSocketAddress PEER = at("198.51.100.20", 5000);

  final TurnHarness relay = new TurnHarness();

  @Test
  void allocateIsChallengedThenSucceedsWithRelayedAndMappedAddresses() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    StunMessage ok = alice.allocate();
    assertThat(ok.method()).isEqualTo(METHOD_ALLOCATE);
    assertThat(ok.attribute(StunAttribute.XorRelayedAddress.class).address())
        .isEqualTo(new InetSocketAddress(TurnHarness.RELAY_IP, alice.relay.getPort()));
    assertThat(ok.attribute(StunAttribute.XorMappedAddress.class).address()).isEqualTo(ALICE);
    assertThat(ok.attribute(Lifetime.class).seconds()).isEqualTo(600);
    assertThat(ok.attribute(StunAttribute.Fingerprint.class)).isNotNull();
    assertThat(relay.metrics.allocations()).isEqualTo(1);
    assertThat(relay.metrics.dropped(DropReason.UNAUTHENTICATED)).isEqualTo(1);
  }

  @Test
  void aRetransmittedAllocateGetsTheSameResponseAnotherOneGets437() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    byte[] tx = alice.transactionId();
    byte[] allocate =
        alice.signed(METHOD_ALLOCATE, tx, new StunAttribute.RequestedTransport(TRANSPORT_UDP));
    assertThat(alice.send(allocate)).hasSize(1).first().isInstanceOf(RelayAction.OpenRelay.class);
    assertThat(alice.send(allocate)).isEmpty(); // still binding: the response comes once bound
    StunMessage first = alice.opened();
    StunMessage again = reply(alice.send(allocate));
    assertThat(again).isEqualTo(first);
    assertThat(errorCode(alice.request(METHOD_ALLOCATE, new StunAttribute.RequestedTransport(17))))
        .isEqualTo(ERROR_ALLOCATION_MISMATCH);
  }

  @Test
  void lifetimesAreClampedBetweenTheDefaultAndTheMaximum() {
    assertThat(lifetimeGranted(30)).isEqualTo(600);
    assertThat(lifetimeGranted(1000)).isEqualTo(1000);
    assertThat(lifetimeGranted(7200)).isEqualTo(3600);
    assertThat(lifetimeGranted(0)).isEqualTo(600);
  }

  private long lifetimeGranted(long requested) {
    TurnHarness fresh = new TurnHarness();
    return fresh
        .client(ALICE, "alice")
        .allocate(new Lifetime(requested))
        .attribute(Lifetime.class)
        .seconds();
  }

  @Test
  void refreshExtendsAndLifetimeZeroDeletesAndClosesTheRelayedPort() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.allocate();
    StunMessage refreshed = alice.request(METHOD_REFRESH, new Lifetime(1200));
    assertThat(refreshed.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(refreshed.attribute(Lifetime.class).seconds()).isEqualTo(1200);

    relay.advance(Duration.ofSeconds(1100)); // past the original 600 s
    assertThat(relay.poll()).isEmpty();

    alice.challenge(); // the nonce has expired meanwhile
    byte[] tx = alice.transactionId();
    List<RelayAction> actions = alice.send(alice.signed(METHOD_REFRESH, tx, new Lifetime(0)));
    assertThat(actions).hasSize(2).contains(new CloseRelay(alice.relay));
    StunMessage deleted = reply(actions.subList(0, 1));
    assertThat(deleted.attribute(Lifetime.class).seconds()).isZero();
    assertThat(relay.core.size()).isZero();
    assertThat(relay.metrics.allocations()).isZero();
    assertThat(errorCode(alice.request(METHOD_REFRESH))).isEqualTo(ERROR_ALLOCATION_MISMATCH);
  }

  @Test
  void anAllocationExpiresWhenItsLifetimeRunsOut() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.allocate();
    relay.advance(Duration.ofSeconds(599));
    assertThat(relay.poll()).isEmpty();
    relay.advance(Duration.ofSeconds(1));
    assertThat(relay.poll()).containsExactly(new CloseRelay(alice.relay));
    assertThat(relay.core.size()).isZero();
    assertThat(alice.fromPeer(PEER, new byte[] {1})).isEmpty();
    assertThat(relay.metrics.dropped(DropReason.NO_ALLOCATION)).isEqualTo(1);
  }

  @Test
  void theQuotaLimitsAllocationsPerUsername() {
    TurnHarness small = TurnHarness.with(c -> c.withAllocationQuota(2));
    RelayCredentials.Minted shared =
        RelayCredentials.mint(
            TurnHarness.SECRET, small.clock.instant().plusSeconds(3600), "shared");
    TurnHarness.Client a = small.new Client(at("192.0.2.10", 1), shared);
    TurnHarness.Client b = small.new Client(at("192.0.2.10", 2), shared);
    TurnHarness.Client c = small.new Client(at("192.0.2.10", 3), shared);
    a.allocate();
    b.allocate();
    c.challenge();
    assertThat(errorCode(reply(c.allocateActions()))).isEqualTo(ERROR_ALLOCATION_QUOTA_REACHED);
    small.client(at("192.0.2.11", 4), "other").allocate(); // another username is unaffected

    assertThat(a.send(a.signed(METHOD_REFRESH, a.transactionId(), new Lifetime(0)))).hasSize(2);
    assertThat(c.allocateActions()).containsExactly(new RelayAction.OpenRelay(c.tuple, false));
  }

  @Test
  void aFailedBindIsAnsweredWith508AndFreesTheQuota() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    alice.allocateActions();
    StunMessage m = reply(relay.core.onRelayFailed(alice.tuple, relay.clock.nanos()));
    assertThat(errorCode(m)).isEqualTo(ERROR_INSUFFICIENT_CAPACITY);
    assertThat(m.verifyIntegrity(alice.key())).isTrue();
    assertThat(relay.core.size()).isZero();
    assertThat(relay.core.onRelayOpened(alice.tuple, at("0.0.0.0", 1), 0))
        .containsExactly(new CloseRelay(at("0.0.0.0", 1)));
  }

  // ---------------------------------------------------------------- authentication

  @Test
  void wrongPasswordsAndExpiredCredentialsGet401() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    String good = alice.credentials.password();
    alice.credentials =
        new RelayCredentials.Minted(
            alice.credentials.username(), "wrong", alice.credentials.expiresAt());
    StunMessage m = reply(alice.allocateActions());
    assertThat(errorCode(m)).isEqualTo(ERROR_UNAUTHENTICATED);
    assertThat(m.hasIntegrity()).isFalse();
    assertThat(m.attribute(StunAttribute.Nonce.class)).isNotNull();

    TurnHarness.Client late =
        relay
        .new Client(
            at("192.0.2.12", 9),
            RelayCredentials.mint(
                TurnHarness.SECRET, relay.clock.instant().plusSeconds(60), "late"));
    late.challenge();
    relay.advance(Duration.ofSeconds(61));
    assertThat(errorCode(reply(late.allocateActions()))).isEqualTo(ERROR_UNAUTHENTICATED);
    assertThat(relay.metrics.dropped(DropReason.BAD_CREDENTIALS)).isEqualTo(2);
    assertThat(good).isNotEqualTo("wrong");
  }

  @Test
  void anExpiredNonceGets438WithAFreshOne() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    relay.advance(TurnConfig.DEFAULT_NONCE_LIFETIME);
    StunMessage stale = reply(alice.allocateActions());
    assertThat(errorCode(stale)).isEqualTo(ERROR_STALE_NONCE);
    alice.nonce = stale.attribute(StunAttribute.Nonce.class).value();
    assertThat(alice.allocateActions())
        .hasSize(1)
        .first()
        .isInstanceOf(RelayAction.OpenRelay.class);
  }

  @Test
  void aNonceIsBoundToTheClientAddress() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    TurnHarness.Client mallory = relay.client(at("192.0.2.66", 666), "mallory");
    mallory.nonce = alice.nonce;
    assertThat(errorCode(reply(mallory.allocateActions()))).isEqualTo(ERROR_STALE_NONCE);
    mallory.nonce = "0000000000000000-garbage";
    assertThat(errorCode(reply(mallory.allocateActions()))).isEqualTo(ERROR_STALE_NONCE);
  }

  @Test
  void integrityWithoutUsernameIsABadRequest() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    byte[] signedNoUser =
        StunMessage.builder(StunClass.REQUEST, METHOD_ALLOCATE, alice.transactionId())
            .add(new StunAttribute.RequestedTransport(17))
            .encode(alice.key(), true);
    assertThat(errorCode(reply(alice.send(signedNoUser)))).isEqualTo(ERROR_BAD_REQUEST);
  }

  @Test
  void requestsOnAnAllocationMustUseItsUsername() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.allocate();
    alice.credentials =
        RelayCredentials.mint(TurnHarness.SECRET, relay.clock.instant().plusSeconds(600), "eve");
    assertThat(errorCode(alice.request(METHOD_CREATE_PERMISSION, new XorPeerAddress(PEER))))
        .isEqualTo(ERROR_WRONG_CREDENTIALS);
  }

  // ---------------------------------------------------------------- Allocate checks

  @Test
  void allocateChecksTransportFamilyAndUnknownAttributes() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.challenge();
    assertThat(errorCode(alice.request(METHOD_ALLOCATE))).isEqualTo(ERROR_BAD_REQUEST);
    assertThat(errorCode(alice.request(METHOD_ALLOCATE, new StunAttribute.RequestedTransport(6))))
        .isEqualTo(ERROR_UNSUPPORTED_TRANSPORT);
    StunMessage df = reply(alice.allocateActions(new StunAttribute.DontFragment()));
    assertThat(errorCode(df)).isEqualTo(ERROR_UNKNOWN_ATTRIBUTE);
    assertThat(df.attribute(StunAttribute.UnknownAttributes.class).types())
        .containsExactly(ATTR_DONT_FRAGMENT);
    StunMessage unknown =
        reply(alice.allocateActions(new StunAttribute.Unknown(0x7777, new byte[] {1})));
    assertThat(unknown.attribute(StunAttribute.UnknownAttributes.class).types())
        .containsExactly(0x7777);
    assertThat(
            errorCode(
                reply(
                    alice.allocateActions(new StunAttribute.RequestedAddressFamily(FAMILY_IPV6)))))
        .isEqualTo(ERROR_ADDRESS_FAMILY_NOT_SUPPORTED);
    assertThat(errorCode(reply(alice.allocateActions(new StunAttribute.EvenPort(true)))))
        .isEqualTo(ERROR_INSUFFICIENT_CAPACITY);
    assertThat(
            errorCode(
                reply(
                    alice.allocateActions(
                        new StunAttribute.Unknown(ATTR_RESERVATION_TOKEN, new byte[8])))))
        .isEqualTo(ERROR_INSUFFICIENT_CAPACITY);
    assertThat(relay.core.size()).isZero();

    // comprehension-optional unknowns are ignored; EVEN-PORT without R asks for an even port
    assertThat(
            alice.allocateActions(
                new StunAttribute.Unknown(0xC001, new byte[] {1}),
                new StunAttribute.RequestedAddressFamily(FAMILY_IPV4),
                new StunAttribute.EvenPort(false)))
        .containsExactly(new RelayAction.OpenRelay(alice.tuple, true));
  }

  // ---------------------------------------------------------------- misc messages

  @Test
  void bindingRequestsAreAnsweredWithoutAuthentication() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    StunMessage m = reply(alice.send(alice.unsigned(METHOD_BINDING, alice.transactionId())));
    assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(m.attribute(StunAttribute.XorMappedAddress.class).address()).isEqualTo(ALICE);
  }

  @Test
  void garbageResponsesAndStrayIndicationsAreDroppedAndCounted() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    assertThat(alice.send(new byte[] {1, 2, 3})).isEmpty();
    assertThat(alice.send(new byte[] {0x40, 0x00, 0x00, 0x09})).isEmpty();
    byte[] response =
        StunMessage.builder(StunClass.SUCCESS_RESPONSE, METHOD_BINDING, alice.transactionId())
            .encode();
    assertThat(alice.send(response)).isEmpty();
    assertThat(alice.sendIndication(PEER, new byte[] {1})).isEmpty();
    assertThat(alice.send(new byte[] {0x40, 0x00, 0x00, 0x01, 0x01})).isEmpty();
    assertThat(relay.metrics.dropped(DropReason.MALFORMED)).isEqualTo(2);
    assertThat(relay.metrics.dropped(DropReason.UNEXPECTED_MESSAGE)).isEqualTo(1);
    assertThat(relay.metrics.dropped(DropReason.NO_ALLOCATION)).isEqualTo(2);
    assertThat(errorCode(reply(alice.send(alice.unsigned(0x0FF, alice.transactionId())))))
        .isEqualTo(ERROR_BAD_REQUEST);
  }

  @Test
  void metricsRenderInThePrometheusTextFormat() {
    TurnHarness.Client alice = relay.client(ALICE, "alice");
    alice.allocate();
    String text = relay.metrics.renderPrometheus();
    assertThat(text)
        .contains("# TYPE gatehouse_relay_allocations gauge\ngatehouse_relay_allocations 1\n")
        .contains("gatehouse_relay_bytes_relayed_total{direction=\"client_to_peer\"} 0\n")
        .contains("gatehouse_relay_dropped_total{reason=\"unauthenticated\"} 1\n")
        .contains("gatehouse_relay_requests_total{method=\"allocate\"} 2\n")
        .contains("gatehouse_relay_error_responses_total{code=\"401\"} 1\n");
  }

  static List<RelayAction> none() {
    return List.of();
  }

  static ToPeer toPeer(List<RelayAction> actions) {
    assertThat(actions).hasSize(1).first().isInstanceOf(ToPeer.class);
    return (ToPeer) actions.get(0);
  }
}
