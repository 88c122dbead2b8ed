package dev.gatehouse.relay.server;

import static dev.gatehouse.relay.stun.TurnProtocol.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.stun.ChannelData;
import dev.gatehouse.relay.stun.StunAttribute;
import dev.gatehouse.relay.stun.StunClass;
import dev.gatehouse.relay.stun.StunIntegrity;
import dev.gatehouse.relay.stun.StunMessage;
import dev.gatehouse.relay.stun.StunParseResult;
import dev.gatehouse.relay.turn.RelayMetrics;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The relay on real loopback UDP sockets (ports chosen by the kernel): a client socket allocates,
 * permits and binds a channel, a peer socket talks back, and Refresh 0 closes the relayed port.
 */
class RelayServerIT {
  private static final String SECRET = "it-secret";
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();

  private final RelayMetrics metrics = new RelayMetrics();
  private final Random random = new Random(42);
  private RelayServer server;
  private MetricsEndpoint endpoint;
  private DatagramSocket client;
  private DatagramSocket peer;
  private RelayCredentials.Minted credentials;
  private String nonce;

  @BeforeEach
  void start() throws Exception {
    server = LoopbackRelay.start(SECRET, metrics, c -> c);
    endpoint = MetricsEndpoint.start(new InetSocketAddress(LOOPBACK, 0), metrics);
    client = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    peer = new DatagramSocket(new InetSocketAddress(LOOPBACK, 0));
    client.setSoTimeout(5000);
    peer.setSoTimeout(5000);
    credentials = RelayCredentials.mint(SECRET, Instant.now().plusSeconds(600), "it-client");
  }

  @AfterEach
  void stop() {
    client.close();
    peer.close();
    endpoint.close();
    server.close();
  }

  @Test
  void allocatePermitBindRelayBothWaysThenRefreshZeroClosesTheRelayedPort() throws Exception {
    // 401 with REALM and NONCE, then an authenticated Allocate
    StunMessage challenge =
        exchange(request(METHOD_ALLOCATE, false, new StunAttribute.RequestedTransport(17)));
    assertThat(challenge.attribute(StunAttribute.ErrorCode.class).code()).isEqualTo(401);
    nonce = challenge.attribute(StunAttribute.Nonce.class).value();
    StunMessage allocated =
        exchange(request(METHOD_ALLOCATE, true, new StunAttribute.RequestedTransport(17)));
    assertThat(allocated.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(allocated.verifyIntegrity(key())).isTrue();
    InetSocketAddress relayed =
        allocated.attribute(StunAttribute.XorRelayedAddress.class).address();
    assertThat(relayed.getAddress()).isEqualTo(LOOPBACK);
    assertThat(allocated.attribute(StunAttribute.XorMappedAddress.class).address())
        .isEqualTo(client.getLocalSocketAddress());
    assertThat(server.relayedSockets()).isEqualTo(1);

    InetSocketAddress peerAddress = (InetSocketAddress) peer.getLocalSocketAddress();
    assertSuccess(
        exchange(
            request(
                METHOD_CREATE_PERMISSION, true, new StunAttribute.XorPeerAddress(peerAddress))));

    // Send indication → peer, peer → Data indication
    send(
        client,
        StunMessage.builder(StunClass.INDICATION, METHOD_SEND, tx())
            .add(new StunAttribute.XorPeerAddress(peerAddress))
            .add(new StunAttribute.Data(bytes("via-send")))
            .encode(),
        server.listenAddress());
    DatagramPacket atPeer = receive(peer);
    assertThat(atPeer.getSocketAddress()).isEqualTo(relayed);
    assertThat(payload(atPeer)).isEqualTo(bytes("via-send"));
    send(peer, bytes("data-back"), relayed);
    StunMessage data = parse(payload(receive(client)));
    assertThat(data.method()).isEqualTo(METHOD_DATA);
    assertThat(data.attribute(StunAttribute.XorPeerAddress.class).address()).isEqualTo(peerAddress);
    assertThat(data.attribute(StunAttribute.Data.class).bytes()).isEqualTo(bytes("data-back"));

    // ChannelBind, then ChannelData both ways
    assertSuccess(
        exchange(
            request(
                METHOD_CHANNEL_BIND,
                true,
                new StunAttribute.ChannelNumber(0x4000),
                new StunAttribute.XorPeerAddress(peerAddress))));
    byte[] out = bytes("via-channel");
    send(client, ChannelData.encode(0x4000, out, 0, out.length, false), server.listenAddress());
    atPeer = receive(peer);
    assertThat(atPeer.getSocketAddress()).isEqualTo(relayed);
    assertThat(payload(atPeer)).isEqualTo(out);
    send(peer, bytes("channel-back"), relayed);
    byte[] frame = payload(receive(client));
    ChannelData.Frame f = (ChannelData.Frame) ChannelData.parse(frame, 0, frame.length);
    assertThat(f.channel()).isEqualTo(0x4000);
    assertThat(Arrays.copyOfRange(frame, f.dataOffset(), f.dataOffset() + f.dataLength()))
        .isEqualTo(bytes("channel-back"));

    assertThat(metrics.bytesRelayed(RelayMetrics.Direction.CLIENT_TO_PEER)).isEqualTo(8 + 11);
    assertThat(metrics.bytesRelayed(RelayMetrics.Direction.PEER_TO_CLIENT)).isEqualTo(9 + 12);
    assertThat(scrape())
        .contains("gatehouse_relay_allocations 1\n")
        .contains("gatehouse_relay_bytes_relayed_total{direction=\"client_to_peer\"} 19\n");

    // Refresh with LIFETIME 0 deletes the allocation and closes its port
    StunMessage deleted = exchange(request(METHOD_REFRESH, true, new StunAttribute.Lifetime(0)));
    assertSuccess(deleted);
    assertThat(deleted.attribute(StunAttribute.Lifetime.class).seconds()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> server.relayedSockets() == 0);
    await()
        .atMost(Duration.ofSeconds(5))
        .ignoreExceptionsInstanceOf(SocketException.class)
        .until(
            () -> {
              try (DatagramSocket probe = new DatagramSocket(relayed)) {
                return probe.isBound(); // the kernel let us bind it: the relay let it go
              }
            });
    send(peer, bytes("too-late"), relayed);
    client.setSoTimeout(300);
    assertThat(receiveOrNull(client)).isNull();
    assertThat(scrape()).contains("gatehouse_relay_allocations 0\n");
  }

  @Test
  void bindingRequestsReportTheReflexiveAddress() throws Exception {
    StunMessage m = exchange(request(METHOD_BINDING, false));
    assertThat(m.messageClass()).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(m.attribute(StunAttribute.XorMappedAddress.class).address())
        .isEqualTo(client.getLocalSocketAddress());
  }

  // ---------------------------------------------------------------- helpers

  private byte[] key() {
    return StunIntegrity.longTermKey(credentials.username(), "gatehouse", credentials.password());
  }

  private byte[] tx() {
    byte[] tx = new byte[12];
    random.nextBytes(tx);
    return tx;
  }

  private byte[] request(int method, boolean signed, StunAttribute... attributes) {
    StunMessage.Builder b = StunMessage.builder(StunClass.REQUEST, method, tx());
    for (StunAttribute a : attributes) {
      b.add(a);
    }
    if (!signed) {
      return b.encode(null, true);
    }
    b.add(new StunAttribute.Username(credentials.username()))
        .add(new StunAttribute.Realm("gatehouse"))
        .add(new StunAttribute.Nonce(nonce));
    return b.encode(key(), true);
  }

  private StunMessage exchange(byte[] request) throws Exception {
    send(client, request, server.listenAddress());
    StunMessage reply = parse(payload(receive(client)));
    assertThat(reply.transactionId()).isEqualTo(Arrays.copyOfRange(request, 8, 20));
    return reply;
  }

  private void assertSuccess(StunMessage m) {
    assertThat(m.messageClass()).as("%s", m).isEqualTo(StunClass.SUCCESS_RESPONSE);
    assertThat(m.verifyIntegrity(key())).isTrue();
  }

  private static StunMessage parse(byte[] datagram) {
    StunParseResult r = StunMessage.parse(datagram, 0, datagram.length);
    assertThat(r).isInstanceOf(StunParseResult.Parsed.class);
    return ((StunParseResult.Parsed) r).message();
  }

  private static void send(DatagramSocket from, byte[] data, InetSocketAddress to)
      throws Exception {
    from.send(new DatagramPacket(data, data.length, to));
  }

  private static DatagramPacket receive(DatagramSocket socket) throws Exception {
    DatagramPacket p = new DatagramPacket(new byte[2048], 2048);
    socket.receive(p);
    return p;
  }

  private static DatagramPacket receiveOrNull(DatagramSocket socket) throws Exception {
    try {
      return receive(socket);
    } catch (SocketTimeoutException e) {
      return null;
    }
  }

  private static byte[] payload(DatagramPacket p) {
    return Arrays.copyOfRange(p.getData(), p.getOffset(), p.getOffset() + p.getLength());
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.US_ASCII);
  }

  private String scrape() throws Exception {
    try (HttpClient http = HttpClient.newHttpClient()) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + endpoint.address().getPort() + "/metrics"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("Content-Type"))
          .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
      return r.body();
    }
  }
}
