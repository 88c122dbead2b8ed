package dev.gatehouse.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.turn.Allocations;
import dev.gatehouse.relay.turn.FiveTuple;
import dev.gatehouse.relay.turn.RelayAction;
import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.relay.turn.TurnConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The client against the relay's own sans-IO core ({@link Allocations}): what one returns is fed to
 * the other, as the two sockets would carry it, with the time moved by hand.
 */
class TurnClientTest {
  static final String SECRET = "relay-secret";
  static final InetSocketAddress SERVER = new InetSocketAddress(ip("203.0.113.1"), 3478);
  static final InetSocketAddress CLIENT = new InetSocketAddress(ip("198.51.100.9"), 40000);
  static final InetSocketAddress PEER = new InetSocketAddress(ip("192.0.2.50"), 51820);
  static final InetSocketAddress RELAY_SOCKET = new InetSocketAddress(ip("0.0.0.0"), 50000);

  long nanos = 1_000_000_000_000L;
  Instant wall = Instant.parse("2026-12-06T12:00:00Z");
  final InstantSource clock = () -> wall;
  final Allocations relay =
      new Allocations(
          TurnConfig.defaults("gatehouse", ip("203.0.113.1")),
          new RelayCredentials(SECRET),
          new byte[32],
          clock,
          new Random(7),
          new RelayMetrics());
  final FiveTuple tuple = new FiveTuple(CLIENT, SERVER);
  final List<TurnClient.Event> events = new ArrayList<>();
  final List<byte[]> toPeer = new ArrayList<>();

  static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalArgumentException(e);
    }
  }

  TurnClient client(Instant expiry) {
    RelayCredentials.Minted m = RelayCredentials.mint(SECRET, expiry, "c2FsdA");
    return new TurnClient(m.username(), m.password(), new Random(3));
  }

  /** Carries a datagram to the relay and everything that follows back, until quiet. */
  void toRelay(TurnClient client, byte[] datagram) {
    List<RelayAction> actions =
        new ArrayList<>(relay.onClientDatagram(tuple, datagram, 0, datagram.length, nanos));
    while (!actions.isEmpty()) {
      RelayAction a = actions.removeFirst();
      switch (a) {
        case RelayAction.OpenRelay open ->
            actions.addAll(relay.onRelayOpened(open.owner(), RELAY_SOCKET, nanos));
        case RelayAction.ToClient to -> {
          TurnClient.Output out = client.onDatagram(to.datagram(), 0, to.datagram().length, nanos);
          events.addAll(out.events());
          out.toRelay().forEach(d -> toRelay(client, d));
        }
        case RelayAction.ToPeer p ->
            toPeer.add(java.util.Arrays.copyOfRange(p.data(), p.offset(), p.offset() + p.length()));
        case RelayAction.CloseRelay ignored -> {}
      }
    }
  }

  void fromPeer(TurnClient client, String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    for (RelayAction a : relay.onPeerDatagram(RELAY_SOCKET, PEER, data, 0, data.length, nanos)) {
      if (a instanceof RelayAction.ToClient to) {
        events.addAll(client.onDatagram(to.datagram(), 0, to.datagram().length, nanos).events());
      }
    }
  }

  TurnClient allocated() {
    TurnClient c = client(wall.plusSeconds(3600));
    toRelay(c, c.allocate(nanos));
    return c;
  }

  @Test
  void itAllocatesAnsweringTheChallengeAndRelaysBothWaysBeforeAndAfterAChannel() {
    TurnClient c = allocated();

    assertThat(events)
        .singleElement()
        .isInstanceOfSatisfying(
            TurnClient.Event.Allocated.class,
            a -> {
              assertThat(a.relayed().getAddress()).isEqualTo(ip("203.0.113.1"));
              assertThat(a.relayed().getPort()).isEqualTo(50000);
              assertThat(a.mapped()).isEqualTo(CLIENT);
              assertThat(a.lifetimeSeconds()).isPositive();
            });

    toRelay(c, c.createPermission(PEER.getAddress(), nanos));
    assertThat(events).last().isEqualTo(new TurnClient.Event.PermissionCreated(PEER.getAddress()));
    byte[] hello = "hello".getBytes(StandardCharsets.UTF_8);
    toRelay(c, c.wrap(PEER, hello, 0, hello.length));
    fromPeer(c, "by indication");
    assertThat(toPeer).extracting(String::new).containsExactly("hello");
    assertThat(events)
        .last()
        .isInstanceOfSatisfying(
            TurnClient.Event.PeerData.class,
            d -> {
              assertThat(d.peer()).isEqualTo(PEER);
              assertThat(new String(d.data(), StandardCharsets.UTF_8)).isEqualTo("by indication");
            });

    toRelay(c, c.bindChannel(PEER, nanos));
    assertThat(events).last().isInstanceOf(TurnClient.Event.ChannelBound.class);
    byte[] framed = c.wrap(PEER, hello, 0, hello.length);
    assertThat(framed).as("ChannelData: a 4-byte header").hasSize(4 + hello.length);
    toRelay(c, framed);
    fromPeer(c, "by channel");
    assertThat(toPeer).extracting(String::new).containsExactly("hello", "hello");
    assertThat(((TurnClient.Event.PeerData) events.getLast()).data())
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("by channel");
  }

  @Test
  void itRefreshesSoTheAllocationAndPermissionOutliveTheirLifetimes() {
    TurnClient c = allocated();
    long lifetime = ((TurnClient.Event.Allocated) events.getFirst()).lifetimeSeconds();
    toRelay(c, c.createPermission(PEER.getAddress(), nanos));

    for (long t = 0; t < 3 * lifetime; t += 30) {
      nanos += Duration.ofSeconds(30).toNanos();
      wall = wall.plusSeconds(30);
      c.poll(nanos).toRelay().forEach(d -> toRelay(c, d));
      relay.poll(nanos);
    }
    fromPeer(c, "still here");

    assertThat(relay.size()).isEqualTo(1);
    assertThat(events).last().isInstanceOf(TurnClient.Event.PeerData.class);
    assertThat(events).noneMatch(e -> e instanceof TurnClient.Event.Failed);
  }

  @Test
  void expiredCredentialsFailWithTheRelaysCodeAndAnUnansweredRequestGivesUp() {
    TurnClient expired = client(wall.minusSeconds(1));
    toRelay(expired, expired.allocate(nanos));
    assertThat(events)
        .singleElement()
        .isInstanceOfSatisfying(
            TurnClient.Event.Failed.class, f -> assertThat(f.code()).isEqualTo(401));

    events.clear();
    TurnClient lonely = client(wall.plusSeconds(60));
    lonely.allocate(nanos); // never delivered
    int sent = 0;
    for (int i = 0; i < 200 && events.isEmpty(); i++) {
      nanos += Duration.ofMillis(500).toNanos();
      TurnClient.Output out = lonely.poll(nanos);
      sent += out.toRelay().size();
      events.addAll(out.events());
    }
    assertThat(sent).as("retransmissions").isEqualTo(TurnClient.MAX_TRIES - 1);
    assertThat(events).singleElement().isInstanceOf(TurnClient.Event.Failed.class);
  }

  @Test
  void garbageAndForgedAnswersAreIgnored() {
    TurnClient c = client(wall.plusSeconds(60));
    byte[] request = c.allocate(nanos);
    assertThat(c.onDatagram(new byte[] {1, 2, 3}, 0, 3, nanos).events()).isEmpty();
    assertThat(c.onDatagram(request, 0, request.length, nanos).events())
        .as("its own request echoed back is no answer")
        .isEmpty();
    assertThat(c.relayedAddress()).isEmpty();
  }
}
