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
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways behind the fake API node, which hands flows out in turn (the first flow goes to the
 * gateway that joined first). The client fails over to the second one when the first cannot be
 * reached at all (its handshake times out) and when it dies mid-transfer (it stops answering data:
 * dead-peer detection).
 */
class GatewayFailoverTest {

  static final UUID DEAD = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
  static final UUID ALIVE = UUID.fromString("00000000-0000-4000-8000-0000000000f2");
  static final UUID CLIENT = UUID.fromString("00000000-0000-4000-8000-00000000c001");
  static final UUID WEB = UUID.fromString("00000000-0000-4000-8000-0000000000a1");

  final List<AutoCloseable> closing = new ArrayList<>();
  final InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
  final InMemoryTunDevice clientTun = new InMemoryTunDevice("gc0", 1280);
  final InMemoryInterface ifc = new InMemoryInterface();
  final ConcurrentLinkedQueue<String> clientLog = new ConcurrentLinkedQueue<>();
  FakeApiNode api;
  String base;
  ClientRuntime client;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : closing.reversed()) {
      c.close();
    }
  }

  GatewayRuntime gateway(
      String base,
      String token,
      String endpoint,
      InMemoryTunDevice tun,
      InMemoryDatagramTransport transport)
      throws Exception {
    ControlChannelState state = new ControlChannelState(InstantSource.system());
    GatewayRuntime g =
        new GatewayRuntime(
                new GatewayRuntime.Options(
                    new ControlChannel.Options(
                        URI.create(base),
                        token,
                        Map.of("endpoint", endpoint, "external_id", token),
                        new Backoff(Duration.ofMillis(50), Duration.ofMillis(500)),
                        null,
                        null),
                    tun.name(),
                    1280,
                    true),
                StaticIdentity.generate(),
                tun,
                transport,
                new InMemoryHostNetwork(),
                state,
                InstantSource.system(),
                line -> System.out.println(tun.name() + ": " + line))
            .start();
    closing.add(g);
    await().atMost(Duration.ofSeconds(10)).until(() -> state.current().isConnected());
    return g;
  }

  /** The fake API node; the gateway with {@code first-token} joins first. */
  void apiNode() throws Exception {
    api =
        new FakeApiNode(System.out::println)
            .token("first-token", new FakeApiNode.Identity(true, DEAD))
            .token("second-token", new FakeApiNode.Identity(true, ALIVE))
            .token("client-token", new FakeApiNode.Identity(false, CLIENT))
            .resource(new ResourceDescription(WEB, "ip", "10.0.0.5", "dual", List.of(), List.of()));
    closing.add(api);
    base = "ws://127.0.0.1:" + api.start(new InetSocketAddress("127.0.0.1", 0)).getPort();
  }

  /** The gateway that joins second, reachable at 192.0.2.2:51820. */
  GatewayRuntime second(InMemoryTunDevice tun) throws Exception {
    return gateway(
        base,
        "second-token",
        "192.0.2.2:51820",
        tun,
        net.bind(new InetSocketAddress("192.0.2.2", 51820)));
  }

  /** Client settings with fast retries and these two failover timeouts. */
  static ClientAgent.Settings settings(Duration handshakeTimeout, Duration deadPeerAfter) {
    return new ClientAgent.Settings(
        64,
        Duration.ofSeconds(10),
        handshakeTimeout,
        Duration.ofSeconds(1),
        Duration.ofMinutes(5),
        deadPeerAfter);
  }

  /** Starts the client and waits for its route; returns its tunnel address. */
  String client(ClientAgent.Settings settings) throws Exception {
    client =
        new ClientRuntime(
                new ClientRuntime.Options(
                    new ControlChannel.Options(
                        URI.create(base + "/client/websocket"),
                        "client-token",
                        Map.of("external_id", "laptop-1"),
                        null,
                        null,
                        null),
                    settings,
                    1280,
                    Duration.ZERO,
                    null),
                StaticIdentity.generate(),
                clientTun,
                net.bind(new InetSocketAddress("192.0.2.3", 40000)),
                ifc,
                line -> {
                  clientLog.add(line);
                  System.out.println("client: " + line);
                })
            .start();
    closing.add(client);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ifc.routes().contains(IpPrefix.parse("10.0.0.5/32")));
    return ifc.addresses().getFirst().address().getHostAddress();
  }

  /** Injects {@code packet} at the client until it comes out of {@code at}. */
  void sendUntilItArrives(byte[] packet, InMemoryTunDevice at, Duration within) {
    await()
        .atMost(within)
        .pollInterval(Duration.ofMillis(200))
        .until(
            () -> {
              clientTun.inject(packet);
              return at.takeWritten(50) != null;
            });
  }

  @Test
  void clientFailsOverWhenTheHandshakeWithTheChosenGatewayTimesOut() throws Exception {
    apiNode();
    InMemoryTunDevice deadTun = new InMemoryTunDevice("dead0", 1280);
    InMemoryTunDevice aliveTun = new InMemoryTunDevice("alive0", 1280);
    // Joins first, so it gets the first flow; nothing listens where it says it is.
    gateway(
        base,
        "first-token",
        "192.0.2.99:51820",
        deadTun,
        net.bind(new InetSocketAddress("192.0.2.1", 51820)));
    GatewayRuntime alive = second(aliveTun);
    String src = client(settings(Duration.ofSeconds(2), Duration.ofSeconds(15)));

    sendUntilItArrives(
        FlowOverFakeApiNodeTest.tcp(src, "10.0.0.5", 40001, 80), aliveTun, Duration.ofSeconds(20));
    assertThat(api.events().stream().filter("create_flow"::equals)).hasSize(2);
    assertThat(client.status().flows().get(WEB)).isEqualTo("active via " + ALIVE);
    assertThat(client.status().gateways()).containsOnlyKeys(ALIVE);
    assertThat(alive.handshakes()).isPositive();
    assertThat(deadTun.takeWritten(0)).isNull();
  }

  @Test
  void clientFailsOverWhenItsGatewayStopsAnsweringMidTransfer() throws Exception {
    apiNode();
    InMemoryTunDevice firstTun = new InMemoryTunDevice("first0", 1280);
    InMemoryTunDevice secondTun = new InMemoryTunDevice("second0", 1280);
    InMemoryDatagramTransport firstUdp = net.bind(new InetSocketAddress("192.0.2.1", 51820));
    gateway(base, "first-token", "192.0.2.1:51820", firstTun, firstUdp);
    second(secondTun);
    String src = client(settings(Duration.ofSeconds(5), Duration.ofSeconds(2)));

    // A transfer through the first gateway, answered.
    byte[] syn = FlowOverFakeApiNodeTest.tcp(src, "10.0.0.5", 40001, 80);
    clientTun.inject(syn);
    assertThat(firstTun.takeWritten(10_000)).isEqualTo(syn);
    byte[] synAck = FlowOverFakeApiNodeTest.tcp("10.0.0.5", src, 80, 40001);
    firstTun.inject(synAck);
    assertThat(clientTun.takeWritten(5_000)).isEqualTo(synAck);
    assertThat(client.status().flows().get(WEB)).isEqualTo("active via " + DEAD);

    // The first gateway's UDP socket goes away mid-transfer (its control channel stays up, so the
    // API node still counts it online); the client keeps sending and moves to the second.
    firstUdp.close();
    long silencedAt = System.nanoTime();
    byte[] data = FlowOverFakeApiNodeTest.tcp(src, "10.0.0.5", 40001, 80);
    sendUntilItArrives(data, secondTun, Duration.ofSeconds(15));
    assertThat(Duration.ofNanos(System.nanoTime() - silencedAt))
        .isGreaterThanOrEqualTo(Duration.ofSeconds(2))
        .isLessThan(Duration.ofSeconds(8));
    assertThat(client.status().flows().get(WEB)).isEqualTo("active via " + ALIVE);
    assertThat(client.status().gateways()).containsOnlyKeys(ALIVE);
    assertThat(api.events().stream().filter("create_flow"::equals)).hasSize(2);
    assertThat(clientLog)
        .anyMatch(
            l ->
                l.startsWith("gateway_failover: gateway " + DEAD)
                    && l.contains("since its last reply"));

    // The transfer goes on through the second gateway, both ways.
    clientTun.inject(data);
    assertThat(secondTun.takeWritten(5_000)).isEqualTo(data);
    secondTun.inject(synAck);
    assertThat(clientTun.takeWritten(5_000)).isEqualTo(synAck);
  }
}
