package dev.gatehouse.relay.turn;

import static dev.gatehouse.relay.turn.TurnHarness.at;
import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunShapes;
import dev.gatehouse.relay.stun.TurnProtocol;
import java.net.InetSocketAddress;
import java.util.List;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/** Hostile datagrams never make the core throw, whichever socket they arrive on. */
class AllocationsPropertiesTest {
  private static final InetSocketAddress PEER = at("198.51.100.20", 5000);
  private final TurnHarness relay = new TurnHarness();
  private final TurnHarness.Client alice = relay.client(at("192.0.2.10", 40001), "alice");

  AllocationsPropertiesTest() {
    alice.allocate();
    alice.request(
        TurnProtocol.METHOD_CHANNEL_BIND,
        new StunAttribute.ChannelNumber(0x4000),
        new StunAttribute.XorPeerAddress(PEER));
  }

  @Property(tries = 3000)
  void randomClientDatagramsNeverThrow(@ForAll @Size(max = 200) byte[] datagram) {
    List<RelayAction> actions = alice.send(datagram);
    assertThat(actions).isNotNull().hasSizeLessThanOrEqualTo(2);
  }

  /** Valid headers of every class and TURN method, garbage attributes. */
  @Provide
  Arbitrary<byte[]> turnLike() {
    return StunShapes.datagrams(
        40,
        b -> {
          int method = 1 + Math.floorMod(b[1], 9);
          int cls = Math.floorMod(b[0], 4);
          int type = (method & 0xF) | ((cls & 1) << 4) | ((cls & 2) << 7);
          b[0] = (byte) (type >>> 8);
          b[1] = (byte) type;
          for (int i = 20; i + 3 < b.length; i += 8) {
            b[i] = 0; // types 0x00xx: the known TURN attributes
            b[i + 2] = 0;
            b[i + 3] = (byte) Math.floorMod(b[i + 3], 24);
          }
        });
  }

  @Property(tries = 3000)
  void turnShapedGarbageNeverThrows(@ForAll("turnLike") byte[] datagram) {
    assertThat(alice.send(datagram)).isNotNull();
  }

  @Property(tries = 1000)
  void channelDataWithRandomPayloadsIsRelayedOrDropped(@ForAll @Size(max = 100) byte[] tail) {
    byte[] frame = new byte[4 + tail.length];
    frame[0] = 0x40;
    frame[3] = (byte) Math.min(tail.length, 255);
    System.arraycopy(tail, 0, frame, 4, tail.length);
    assertThat(alice.send(frame)).hasSizeLessThanOrEqualTo(1);
  }

  @Property(tries = 1000)
  void randomPeerDatagramsNeverThrow(@ForAll @Size(max = 200) byte[] datagram) {
    assertThat(alice.fromPeer(PEER, datagram)).hasSize(1);
    assertThat(alice.fromPeer(at("198.51.100.99", 1), datagram)).isEmpty();
  }
}
