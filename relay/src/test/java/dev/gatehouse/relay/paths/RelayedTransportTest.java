package dev.gatehouse.relay.paths;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.stun.TurnProtocol;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What the tunnel's socket does with STUN that is not a relay's: answered, dropped, counted. */
class RelayedTransportTest {
  static final InetSocketAddress OURS = new InetSocketAddress("10.9.0.1", 51820);
  static final InetSocketAddress PEER = new InetSocketAddress("10.9.0.2", 40000);

  final InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
  final List<InetSocketAddress> reachable = new CopyOnWriteArrayList<>();
  final BlockingQueue<byte[]> toTunnel = new LinkedBlockingQueue<>();
  final BlockingQueue<byte[]> atPeer = new LinkedBlockingQueue<>();
  RelayedTransport transport;
  InMemoryDatagramTransport peer;

  @BeforeEach
  void start() {
    transport =
        new RelayedTransport(
            net.bind(OURS),
            new RelayedTransport.Listener() {
              @Override
              public void reachable(InetSocketAddress target) {
                reachable.add(target);
              }
            },
            new Random(3));
    transport.start((d, from) -> toTunnel.add(bytes(d)));
    peer = net.bind(PEER);
    peer.start((DatagramTransport.Receiver) (d, from) -> atPeer.add(bytes(d)));
  }

  @AfterEach
  void stop() {
    transport.close();
    peer.close();
  }

  @Test
  void aBindingRequestIsAnsweredWithTheSendersAddressAndNeverReachesTheTunnel() throws Exception {
    byte[] tx = new byte[12];
    fromPeer(StunMessage.builder(StunClass.REQUEST, TurnProtocol.METHOD_BINDING, tx).encode());

    StunMessage answer = parse(atPeer.poll(5, TimeUnit.SECONDS));
    assertThat(answer.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(answer.attribute(StunAttribute.XorMappedAddress.class).address()).isEqualTo(PEER);
    assertThat(toTunnel).isEmpty();
  }

  @Test
  void anAnswerToNoProbeOfOursIsDroppedAndCountedNotTakenAsAPath() throws Exception {
    fromPeer(
        StunMessage.builder(StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, new byte[12])
            .add(new StunAttribute.XorMappedAddress(OURS))
            .encode());
    byte[] malformed = new byte[24]; // a Binding request's header and cookie, an impossible length
    malformed[1] = 0x01;
    malformed[3] = 0x40;
    ByteBuffer.wrap(malformed).putInt(4, TurnProtocol.MAGIC_COOKIE);
    fromPeer(malformed);

    await().atMost(Duration.ofSeconds(5)).until(() -> transport.dropped() == 2);
    assertThat(reachable).isEmpty();
    assertThat(toTunnel).isEmpty();
    assertThat(atPeer).isEmpty();
  }

  @Test
  void ourProbeIsAnsweredByTheProbedAddressOnly() throws Exception {
    transport.probe(PEER);
    StunMessage probe = parse(atPeer.poll(5, TimeUnit.SECONDS));
    byte[] answer =
        StunMessage.builder(
                StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, probe.transactionId())
            .add(new StunAttribute.XorMappedAddress(OURS))
            .encode();
    InMemoryDatagramTransport other = net.bind(new InetSocketAddress("10.9.0.3", 40000));
    other.start((d, from) -> {});
    other.send(ByteBuffer.wrap(answer), OURS);
    other.flush();
    await().atMost(Duration.ofSeconds(5)).until(() -> transport.dropped() == 1);
    assertThat(reachable).as("the same transaction from another address").isEmpty();
    other.close();

    transport.probe(PEER);
    probe = parse(atPeer.poll(5, TimeUnit.SECONDS));
    fromPeer(
        StunMessage.builder(
                StunClass.SUCCESS_RESPONSE, TurnProtocol.METHOD_BINDING, probe.transactionId())
            .add(new StunAttribute.XorMappedAddress(OURS))
            .encode());
    await().atMost(Duration.ofSeconds(5)).until(() -> !reachable.isEmpty());
    assertThat(reachable).containsExactly(PEER);
  }

  @Test
  void wireGuardDatagramsPassThroughUntouched() throws Exception {
    byte[] handshake = new byte[148];
    handshake[0] = 1; // a handshake initiation: type 1, three zero bytes
    fromPeer(handshake);
    assertThat(toTunnel.poll(5, TimeUnit.SECONDS)).isEqualTo(handshake);
    assertThat(transport.dropped()).isZero();
  }

  private void fromPeer(byte[] datagram) {
    peer.send(ByteBuffer.wrap(datagram), OURS);
    peer.flush();
  }

  private static StunMessage parse(byte[] wire) {
    assertThat(wire).as("a datagram arrived").isNotNull();
    return ((StunParseResult.Parsed) StunMessage.parse(wire, 0, wire.length)).message();
  }

  private static byte[] bytes(ByteBuffer d) {
    byte[] b = new byte[d.remaining()];
    d.duplicate().get(b);
    return b;
  }
}
