package dev.gatehouse.gateway.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.client.control.Backoff;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.fake.FakeApiNode;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.InMemoryHostNetwork;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Filter;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.DropReason;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A fake API node (real WebSocket on loopback, real protocol codec) drives a real gateway runtime
 * and a real client runtime; their tunnels run on in-memory TUN devices and an in-memory UDP
 * network. Covers create_flow → authorize_flow → flow_authorized → flow_created, packets both ways,
 * filters, revocation and reconnect with re-sync.
 */
class FlowOverFakeApiNodeTest {

  static final UUID GATEWAY = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
  static final UUID CLIENT = UUID.fromString("00000000-0000-4000-8000-00000000c001");
  static final UUID WEB = UUID.fromString("00000000-0000-4000-8000-0000000000a1");
  static final InetSocketAddress GATEWAY_UDP = new InetSocketAddress("192.0.2.1", 51820);

  FakeApiNode api;
  ControlChannelState gatewayState;
  GatewayRuntime gateway;
  ClientRuntime client;
  InMemoryTunDevice gatewayTun;
  InMemoryTunDevice clientTun;
  InMemoryInterface clientInterface;
  String base;

  @BeforeEach
  void setUp() throws Exception {
    api =
        new FakeApiNode(System.out::println)
            .token("gw-token", new FakeApiNode.Identity(true, GATEWAY))
            .token("client-token", new FakeApiNode.Identity(false, CLIENT))
            .resource(
                new ResourceDescription(
                    WEB, "ip", "10.0.0.5", "dual", List.of(new Filter("tcp", 80, 80)), List.of()));
    InetSocketAddress bound = api.start(new InetSocketAddress("127.0.0.1", 0));
    base = "ws://127.0.0.1:" + bound.getPort();
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    Backoff fast = new Backoff(Duration.ofMillis(50), Duration.ofMillis(500));

    gatewayState = new ControlChannelState(InstantSource.system());
    gatewayTun = new InMemoryTunDevice("gw0", 1280);
    gateway =
        new GatewayRuntime(
                new GatewayRuntime.Options(
                    new ControlChannel.Options(
                        URI.create(base),
                        "gw-token",
                        Map.of("endpoint", "192.0.2.1:51820", "external_id", "gw-1"),
                        fast,
                        null,
                        null),
                    "gw0",
                    1280,
                    true),
                StaticIdentity.generate(),
                gatewayTun,
                net.bind(GATEWAY_UDP),
                new InMemoryHostNetwork(),
                gatewayState,
                InstantSource.system(),
                line -> System.out.println("gateway: " + line))
            .start();

    clientTun = new InMemoryTunDevice("gc0", 1280);
    clientInterface = new InMemoryInterface();
    client =
        new ClientRuntime(
                new ClientRuntime.Options(
                    new ControlChannel.Options(
                        URI.create(base + "/client/websocket"),
                        "client-token",
                        Map.of("external_id", "laptop-1"),
                        fast,
                        null,
                        null),
                    ClientAgent.Settings.defaults(),
                    1280,
                    Duration.ZERO,
                    null),
                StaticIdentity.generate(),
                clientTun,
                net.bind(new InetSocketAddress("192.0.2.2", 40000)),
                clientInterface,
                line -> System.out.println("client: " + line))
            .start();
  }

  @AfterEach
  void tearDown() {
    if (client != null) {
      client.close();
    }
    if (gateway != null) {
      gateway.close();
    }
    if (api != null) {
      api.close();
    }
  }

  static byte[] tcp(String src, String dst, int srcPort, int dstPort) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(44);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 44).putInt(0);
    b.put((byte) 64).put((byte) 6).putShort((short) 0);
    b.put(InetAddress.getByName(src).getAddress()).put(InetAddress.getByName(dst).getAddress());
    b.putShort((short) srcPort).putShort((short) dstPort).putInt(1).putInt(0);
    b.put((byte) 0x50).put((byte) 2).putShort((short) 1000).putInt(0);
    b.putInt(0x68690a00);
    return b.array();
  }

  @Test
  void flowIsCreatedOnFirstPacketAndTrafficFlowsUntilRevoked() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> gatewayState.current().isConnected());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> clientInterface.routes().contains(IpPrefix.parse("10.0.0.5/32")));
    assertThat(clientInterface.addresses()).contains(IpPrefix.parse("100.64.0.2/32"));

    byte[] syn = tcp("100.64.0.2", "10.0.0.5", 40001, 80);
    clientTun.inject(syn);
    assertThat(gatewayTun.takeWritten(10_000))
        .as("first packet, held then released")
        .isEqualTo(syn);
    assertThat(api.events()).containsSubsequence("create_flow", "flow_authorized");
    assertThat(gateway.activeFlows()).isEqualTo(1);
    assertThat(gateway.handshakes()).isEqualTo(1);

    byte[] synAck = tcp("10.0.0.5", "100.64.0.2", 80, 40001);
    gatewayTun.inject(synAck);
    assertThat(clientTun.takeWritten(5_000)).isEqualTo(synAck);

    // Another packet goes straight through, no new flow.
    byte[] data = tcp("100.64.0.2", "10.0.0.5", 40001, 80);
    clientTun.inject(data);
    assertThat(gatewayTun.takeWritten(5_000)).isEqualTo(data);
    assertThat(api.events().stream().filter("create_flow"::equals)).hasSize(1);

    // The resource's filter allows tcp/80 only.
    clientTun.inject(tcp("100.64.0.2", "10.0.0.5", 40002, 22));
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.dropCount(DropReason.FILTERED) == 1);
    assertThat(gatewayTun.takeWritten(200)).isNull();

    // Revocation: the gateway drops the peer; nothing reaches the resource any more.
    api.rejectAccess(CLIENT, WEB);
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.peerCount() == 0);
    assertThat(gateway.activeFlows()).isZero();
    clientTun.inject(tcp("100.64.0.2", "10.0.0.5", 40001, 80));
    assertThat(gatewayTun.takeWritten(1_000)).isNull();
  }

  @Test
  void bothReconnectAfterTheApiDropsThemAndTheGatewayResyncsOnInit() throws Exception {
    await().atMost(Duration.ofSeconds(10)).until(() -> gatewayState.current().isConnected());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> clientInterface.routes().contains(IpPrefix.parse("10.0.0.5/32")));
    byte[] syn = tcp("100.64.0.2", "10.0.0.5", 40001, 80);
    clientTun.inject(syn);
    assertThat(gatewayTun.takeWritten(10_000)).isEqualTo(syn);

    api.dropConnections();
    await()
        .atMost(Duration.ofSeconds(10))
        .until(
            () -> api.events().stream().filter(e -> e.startsWith("gateway_joined")).count() == 2);
    await().atMost(Duration.ofSeconds(10)).until(() -> gatewayState.current().isConnected());
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> api.events().stream().filter(e -> e.startsWith("client_joined")).count() == 2);
    // The fake API lists the flow in init, so the gateway keeps it and traffic continues.
    assertThat(gateway.activeFlows()).isEqualTo(1);
    byte[] more = tcp("100.64.0.2", "10.0.0.5", 40001, 80);
    clientTun.inject(more);
    assertThat(gatewayTun.takeWritten(5_000)).isEqualTo(more);
  }

  /** Records what a client channel reports: open, events, closes; and how it ended. */
  static final class Recorder implements ControlChannel.Listener<ClientOutbound> {
    final List<String> seen = new CopyOnWriteArrayList<>();
    final CompletableFuture<ControlChannel.End> end = new CompletableFuture<>();

    @Override
    public void onOpen() {
      seen.add("open");
    }

    @Override
    public void onMessage(Envelope<ClientOutbound> e) {
      seen.add(e.event());
    }

    @Override
    public void onClosed(String reason) {
      seen.add("closed: " + reason);
    }

    @Override
    public void onEnd(ControlChannel.End e, String reason) {
      end.complete(e);
    }
  }

  /**
   * A client channel (not started) to the fake API node.
   *
   * @param backoff null for the default
   * @param pingInterval null for the default
   */
  ControlChannel<ClientOutbound> clientChannel(
      String token,
      Map<String, String> joinParams,
      Backoff backoff,
      Duration pingInterval,
      Recorder recorder) {
    return new ControlChannel<>(
        new ControlChannel.Options(
            URI.create(base + "/client/websocket"),
            token,
            joinParams,
            backoff,
            null,
            null,
            pingInterval),
        Direction.CLIENT_OUTBOUND,
        recorder);
  }

  @Test
  void aRefusedTokenEndsTheChannelWithAuthRefused() throws Exception {
    Recorder recorder = new Recorder();
    try (ControlChannel<ClientOutbound> ch =
        clientChannel(
            "wrong-token",
            Map.of("public_key", "k", "external_id", "x", "version", "0.1.0"),
            null,
            null,
            recorder)) {
      ch.start();
      assertThat(recorder.end.get(10, TimeUnit.SECONDS)).isEqualTo(ControlChannel.End.AUTH_REFUSED);
    }
  }

  @Test
  void aJoinWithoutRequiredParametersIsRejectedForGood() throws Exception {
    Recorder recorder = new Recorder();
    try (ControlChannel<ClientOutbound> ch =
        clientChannel("client-token", Map.of("public_key", "k"), null, null, recorder)) {
      ch.start();
      assertThat(recorder.end.get(10, TimeUnit.SECONDS)).isEqualTo(ControlChannel.End.REJECTED);
    }
  }

  @Test
  void openIsReportedBeforeTheFirstMessageOnEveryConnect() throws Exception {
    for (int i = 0; i < 15; i++) {
      Recorder recorder = new Recorder();
      List<String> seen = recorder.seen;
      try (ControlChannel<ClientOutbound> ch =
          clientChannel(
              "client-token",
              Map.of("public_key", "k", "external_id", "x" + i, "version", "0.1.0"),
              null,
              null,
              recorder)) {
        ch.start();
        await().atMost(Duration.ofSeconds(5)).until(() -> seen.size() >= 2);
        assertThat(seen).startsWith("open", "init");
      }
    }
  }

  @Test
  void aSilentConnectionIsDroppedAfterUnansweredPingsAndRedialed() throws Exception {
    Recorder recorder = new Recorder();
    List<String> seen = recorder.seen;
    try (ControlChannel<ClientOutbound> ch =
        clientChannel(
            "client-token",
            Map.of("public_key", "k", "external_id", "silent", "version", "0.1.0"),
            new Backoff(Duration.ofMillis(50), Duration.ofMillis(100)),
            Duration.ofMillis(200),
            recorder)) {
      ch.start();
      await().atMost(Duration.ofSeconds(5)).until(() -> seen.contains("init"));
      // Pings are answered: the connection stays up for several intervals.
      await().during(Duration.ofMillis(1000)).atMost(Duration.ofSeconds(2)).until(ch::isConnected);
      api.goSilent();
      // Generous bounds: on a loaded 2-core CI machine the timers and the redial can lag.
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> seen.stream().anyMatch(e -> e.startsWith("closed: no answer")));
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> seen.stream().filter("init"::equals).count() == 2);
    }
  }
}
