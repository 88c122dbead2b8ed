package dev.gatehouse.client.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.paths.Candidate;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The path decisions without a network: the relay's answers come in through the listener methods
 * the transport would call. (The namespace ITs in gateway-sidecar run them against a real relay.)
 */
class GatewayPathsTest {
  static final InetSocketAddress DIRECT = new InetSocketAddress("10.244.0.100", 51820);
  static final InetSocketAddress RELAYED = new InetSocketAddress("10.244.0.5", 50001);
  static final InetSocketAddress OUR_RELAYED = new InetSocketAddress("10.244.0.5", 50002);
  static final InetSocketAddress REFLEXIVE = new InetSocketAddress("198.18.0.2", 40000);
  static final InetSocketAddress BALANCER = new InetSocketAddress("203.0.113.7", 51820);
  static final UUID GATEWAY = UUID.randomUUID();

  final List<String> log = new ArrayList<>();
  final List<List<String>> announced = new ArrayList<>();
  final InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
  WireGuardDevice device;
  GatewayPaths paths;
  Peer peer;

  @BeforeEach
  void setUp() {
    device =
        new WireGuardDevice(
            StaticIdentity.generate(), TunnelClock.system(), WireGuardDevice.Config.defaults());
    paths = new GatewayPaths(device, log::add, (lines, gateways) -> announced.add(lines));
    paths.attach(
        new RelayedTransport(
            net.bind(new InetSocketAddress("198.18.0.2", 51820)), paths, new Random(1)));
    peer =
        device.addPeer(
            new PeerConfig(
                StaticIdentity.generate().publicKey(),
                null,
                List.of(IpPrefix.parse("10.0.0.0/24")),
                DIRECT,
                Duration.ZERO,
                null));
  }

  @Test
  void candidatesBeforeTheFlowMoveTheNewPeerStraightToTheRelayedAddress() {
    paths.allocated("r", OUR_RELAYED, REFLEXIVE);
    paths.candidates(GATEWAY, List.of(Candidate.relay(RELAYED).line()));
    paths.added(GATEWAY, peer, DIRECT);

    assertThat(peer.endpoint()).isEqualTo(RELAYED);
    assertThat(paths.describe(GATEWAY)).isEqualTo("relayed 10.244.0.5:50001");
    assertThat(announced)
        .as("the gateway hears our reflexive and relayed addresses")
        .containsExactly(
            List.of(
                new Candidate(Candidate.Type.SRFLX, REFLEXIVE).line(),
                Candidate.relay(OUR_RELAYED).line()));
  }

  @Test
  void withoutAnAllocationThePeerStaysOnItsDirectEndpoint() {
    paths.added(GATEWAY, peer, DIRECT);
    paths.candidates(GATEWAY, List.of(Candidate.relay(RELAYED).line(), "garbage"));

    assertThat(peer.endpoint()).isEqualTo(DIRECT);
    assertThat(paths.describe(GATEWAY)).isEqualTo("direct 10.244.0.100:51820");
    assertThat(log).anyMatch(l -> l.contains("no allocation yet"));
    assertThat(announced).isEmpty();
  }

  @Test
  void anAnsweredProbePromotesTheDirectPathAndRoamingBackIsUndone() {
    paths.allocated("r", OUR_RELAYED, REFLEXIVE);
    paths.added(GATEWAY, peer, DIRECT);
    paths.candidates(GATEWAY, List.of(Candidate.relay(RELAYED).line()));
    assertThat(peer.endpoint()).isEqualTo(RELAYED);

    paths.reachable(new InetSocketAddress("10.244.0.99", 51820)); // someone else's answer
    assertThat(peer.endpoint()).isEqualTo(RELAYED);
    paths.reachable(DIRECT);
    assertThat(peer.endpoint()).isEqualTo(DIRECT);
    assertThat(paths.describe(GATEWAY)).isEqualTo("direct 10.244.0.100:51820");

    // a datagram the gateway sent over the relay before it saw ours makes WireGuard roam back
    device.setEndpoint(peer, RELAYED);
    paths.tick();
    assertThat(peer.endpoint()).as("the direct path answered just now").isEqualTo(DIRECT);
  }

  @Test
  void newCandidatesAfterARelayRestartMoveARelayedSessionToTheNewAddress() {
    paths.allocated("r", OUR_RELAYED, REFLEXIVE);
    paths.added(GATEWAY, peer, DIRECT);
    paths.candidates(GATEWAY, List.of(Candidate.relay(RELAYED).line()));
    InetSocketAddress again = new InetSocketAddress("10.244.0.5", 50077);

    paths.lost("r", "REFRESH 437 Allocation Mismatch");
    paths.allocated("r", new InetSocketAddress("10.244.0.5", 50078), REFLEXIVE);
    paths.candidates(GATEWAY, List.of(Candidate.relay(again).line()));

    assertThat(peer.endpoint()).isEqualTo(again);
  }

  @Test
  void whileRelayedEveryDirectCandidateIsProbedAndTheFirstToAnswerIsPromoted() throws Exception {
    BlockingQueue<InetSocketAddress> probed = new LinkedBlockingQueue<>();
    for (InetSocketAddress at : List.of(DIRECT, BALANCER)) {
      net.bind(at).start((d, from) -> probed.add(at));
    }
    paths.allocated("r", OUR_RELAYED, REFLEXIVE);
    paths.added(GATEWAY, peer, DIRECT);
    paths.candidates(
        GATEWAY,
        List.of(
            Candidate.relay(RELAYED).line(),
            new Candidate(Candidate.Type.HOST, BALANCER).line(),
            new Candidate(Candidate.Type.HOST, DIRECT).line()));
    assertThat(peer.endpoint()).isEqualTo(RELAYED);

    for (int i = 0; i < GatewayPaths.PROBE_EVERY_TICKS; i++) {
      paths.tick();
    }
    Set<InetSocketAddress> got = new HashSet<>();
    for (int i = 0; i < 2; i++) {
      got.add(probed.poll(5, TimeUnit.SECONDS));
    }
    assertThat(got).containsExactlyInAnyOrder(DIRECT, BALANCER);

    paths.reachable(BALANCER);
    assertThat(peer.endpoint()).isEqualTo(BALANCER);
    assertThat(paths.describe(GATEWAY)).isEqualTo("direct 203.0.113.7:51820");
    paths.reachable(DIRECT); // later answers move nothing
    assertThat(peer.endpoint()).isEqualTo(BALANCER);
  }

  @Test
  void withNoHandshakeYetAnAnsweringCandidateReplacesTheNamedEndpoint() throws Exception {
    BlockingQueue<InetSocketAddress> probed = new LinkedBlockingQueue<>();
    net.bind(BALANCER).start((d, from) -> probed.add(BALANCER));
    paths.added(GATEWAY, peer, DIRECT);
    paths.candidates(GATEWAY, List.of(new Candidate(Candidate.Type.HOST, BALANCER).line()));
    assertThat(peer.endpoint()).as("no relay: the named endpoint first").isEqualTo(DIRECT);

    for (int i = 0; i < GatewayPaths.PROBE_EVERY_TICKS; i++) {
      paths.tick();
    }
    assertThat(probed.poll(5, TimeUnit.SECONDS)).isEqualTo(BALANCER);
    paths.reachable(new InetSocketAddress("203.0.113.8", 51820)); // not a candidate
    assertThat(peer.endpoint()).isEqualTo(DIRECT);

    paths.reachable(BALANCER);
    assertThat(peer.endpoint()).isEqualTo(BALANCER);
    assertThat(log).anyMatch(l -> l.contains("10.244.0.100:51820 never answered"));
    paths.reachable(DIRECT); // the one in use answered: it stays
    assertThat(peer.endpoint()).isEqualTo(BALANCER);
  }
}
