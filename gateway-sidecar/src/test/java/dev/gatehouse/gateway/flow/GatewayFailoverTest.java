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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two gateways behind the fake API node, which hands flows out in turn. The first one advertises an
 * endpoint nobody listens on, so the client's handshake to it times out; the client asks for a new
 * flow and reaches the resource through the second.
 */
class GatewayFailoverTest {

  static final UUID DEAD = UUID.fromString("00000000-0000-4000-8000-0000000000f1");
  static final UUID ALIVE = UUID.fromString("00000000-0000-4000-8000-0000000000f2");
  static final UUID CLIENT = UUID.fromString("00000000-0000-4000-8000-00000000c001");
  static final UUID WEB = UUID.fromString("00000000-0000-4000-8000-0000000000a1");

  final List<AutoCloseable> closing = new ArrayList<>();

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
      InMemoryDatagramTransport.Network net,
      InetSocketAddress bind)
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
                net.bind(bind),
                new InMemoryHostNetwork(),
                state,
                InstantSource.system(),
                line -> System.out.println(tun.name() + ": " + line))
            .start();
    closing.add(g);
    await().atMost(Duration.ofSeconds(10)).until(() -> state.current().isConnected());
    return g;
  }

  @Test
  void clientFailsOverWhenTheHandshakeWithTheChosenGatewayTimesOut() throws Exception {
    FakeApiNode api =
        new FakeApiNode(System.out::println)
            .token("dead-token", new FakeApiNode.Identity(true, DEAD))
            .token("alive-token", new FakeApiNode.Identity(true, ALIVE))
            .token("client-token", new FakeApiNode.Identity(false, CLIENT))
            .resource(new ResourceDescription(WEB, "ip", "10.0.0.5", "dual", List.of(), List.of()));
    closing.add(api);
    String base = "ws://127.0.0.1:" + api.start(new InetSocketAddress("127.0.0.1", 0)).getPort();
    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();

    InMemoryTunDevice deadTun = new InMemoryTunDevice("dead0", 1280);
    InMemoryTunDevice aliveTun = new InMemoryTunDevice("alive0", 1280);
    // Joins first, so it gets the first flow; nothing listens where it says it is.
    gateway(
        base,
        "dead-token",
        "192.0.2.99:51820",
        deadTun,
        net,
        new InetSocketAddress("192.0.2.1", 51820));
    GatewayRuntime alive =
        gateway(
            base,
            "alive-token",
            "192.0.2.2:51820",
            aliveTun,
            net,
            new InetSocketAddress("192.0.2.2", 51820));

    InMemoryTunDevice clientTun = new InMemoryTunDevice("gc0", 1280);
    InMemoryInterface ifc = new InMemoryInterface();
    ClientRuntime client =
        new ClientRuntime(
                new ClientRuntime.Options(
                    new ControlChannel.Options(
                        URI.create(base + "/client/websocket"),
                        "client-token",
                        Map.of("external_id", "laptop-1"),
                        null,
                        null,
                        null),
                    new ClientAgent.Settings(
                        64,
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(2),
                        Duration.ofSeconds(1),
                        Duration.ofMinutes(5),
                        Duration.ofSeconds(15)),
                    1280,
                    Duration.ZERO,
                    null),
                StaticIdentity.generate(),
                clientTun,
                net.bind(new InetSocketAddress("192.0.2.3", 40000)),
                ifc,
                line -> System.out.println("client: " + line))
            .start();
    closing.add(client);
    await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> ifc.routes().contains(IpPrefix.parse("10.0.0.5/32")));
    String src = ifc.addresses().getFirst().address().getHostAddress();
    byte[] syn = FlowOverFakeApiNodeTest.tcp(src, "10.0.0.5", 40001, 80);

    clientTun.inject(syn);
    await()
        .atMost(Duration.ofSeconds(20))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              clientTun.inject(syn);
              return aliveTun.takeWritten(100) != null;
            });
    assertThat(api.events().stream().filter("create_flow"::equals)).hasSize(2);
    assertThat(client.status().flows().get(WEB)).isEqualTo("active via " + ALIVE);
    assertThat(client.status().gateways()).containsOnlyKeys(ALIVE);
    assertThat(alive.handshakes()).isPositive();
    assertThat(deadTun.takeWritten(0)).isNull();
  }
}
