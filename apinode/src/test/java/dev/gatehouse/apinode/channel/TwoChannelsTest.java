package dev.gatehouse.apinode.channel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.bus.InMemoryBus;
import dev.gatehouse.apinode.core.FlowKeys;
import dev.gatehouse.apinode.core.RelayDirectory;
import dev.gatehouse.apinode.store.TokenStore.TokenInfo;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.controlplane.cdc.Table;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.ControlCodec;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.Message;
import dev.gatehouse.protocol.RelaysPresence;
import dev.gatehouse.relay.RelayCredentials;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A client channel on node A and a gateway channel on node B, driven through a whole flow with the
 * in-memory twins of the transport, the node bus and the store: no sockets, no database.
 */
class TwoChannelsTest {

  static final ControlCodec CODEC = new ControlCodec();
  static final Duration WAIT = Duration.ofSeconds(10);
  static final byte[] RELAY_SECRET = "relay-secret".getBytes(StandardCharsets.UTF_8);
  static final RelayDirectory RELAYS =
      new RelayDirectory(List.of("203.0.113.7:3478"), RELAY_SECRET);

  final UUID account = UUID.randomUUID();
  final UUID actor = UUID.randomUUID();
  final UUID group = UUID.randomUUID();
  final UUID site = UUID.randomUUID();
  final UUID resource = UUID.randomUUID();
  final UUID policy = UUID.randomUUID();
  final InMemoryChannelStore store = new InMemoryChannelStore(this::snapshot);
  final InMemoryBus.Network network = new InMemoryBus.Network();
  final ExecutorService tasks = Executors.newVirtualThreadPerTaskExecutor();
  final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();

  ClientSnapshot snapshot(UUID clientId) {
    return new ClientSnapshot(
        new Row.Client(
            clientId, account, actor, "c", "cpk", "1.4.0", "192.0.2.7", Instant.now(), null),
        null,
        List.of(new Row.Membership(UUID.randomUUID(), account, actor, group)),
        List.of(new Row.Policy(policy, account, group, resource, "[]", null, null, null)),
        List.of(new Row.Resource(resource, account, "r", "ip", "10.0.0.1", "dual", "[]", null)),
        List.of(new Row.ResourceConnection(resource, site, account)));
  }

  NodeServices node(String id) {
    return node(id, RELAYS);
  }

  NodeServices node(String id, RelayDirectory relays) {
    ApiNodeConfig config =
        ApiNodeConfig.defaults(
            id, account, "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8), null);
    NodeMetrics metrics = new NodeMetrics();
    InMemoryBus bus = new InMemoryBus(network);
    ChannelHub hub = new ChannelHub(id, bus, store, metrics);
    bus.start(id, hub::receive);
    return new NodeServices(
        config,
        CODEC,
        store,
        FlowReauthorizer.NONE,
        new FlowKeys(config.flowKeySecret()),
        hub,
        tasks,
        scheduler,
        InstantSource.system(),
        metrics,
        new Semaphore(4),
        relays);
  }

  /** The gateway pod-1 of the site joining node {@code b} over {@code wire}. */
  GatewayChannel gatewayChannel(NodeServices b, InMemoryTransport wire) {
    return new GatewayChannel(
        b,
        new Joins.GatewayJoin(
            new TokenInfo(UUID.randomUUID(), account, "site", null, site, null),
            "pod-1",
            "pod-1",
            "gpk",
            "1.4.0",
            "192.0.2.1:51820"),
        wire);
  }

  static <M extends Message> Envelope<M> next(InMemoryTransport t, Direction<M> d)
      throws InterruptedException {
    String frame = t.next(WAIT);
    assertThat(frame).as("a frame within " + WAIT).isNotNull();
    return ((Decoded.Ok<M>) CODEC.decode(frame, d)).envelope();
  }

  @AfterEach
  void stop() {
    tasks.shutdownNow();
    scheduler.shutdownNow();
  }

  @Test
  void relayCredentialsAreRenewedBeforeTheyExpire() throws Exception {
    NodeServices b =
        node(
            "node-b",
            new RelayDirectory(
                List.of("203.0.113.7:3478"),
                RELAY_SECRET,
                Duration.ofDays(7),
                Duration.ofSeconds(4)));
    InMemoryTransport gwWire = new InMemoryTransport("10.1.0.9");
    GatewayChannel gateway = gatewayChannel(b, gwWire);
    gateway.start();
    var init = (GatewayOutbound.Init) next(gwWire, Direction.GATEWAY_OUTBOUND).payload();
    long first = init.relays().getFirst().expiresAt();

    long sent = System.nanoTime();
    var renewed = (RelaysPresence) next(gwWire, Direction.GATEWAY_OUTBOUND).payload();
    assertThat(Duration.ofNanos(System.nanoTime() - sent))
        .as("at three quarters of the 4 s life, not at once")
        .isGreaterThan(Duration.ofSeconds(2));
    assertThat(renewed.disconnectedIds()).isEmpty();
    assertThat(renewed.connected())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.id()).isEqualTo("relay-0");
              assertThat(r.expiresAt()).isGreaterThan(first);
              assertThat(new RelayCredentials(RELAY_SECRET).verify(r.username(), Instant.now()))
                  .isInstanceOfSatisfying(
                      RelayCredentials.Valid.class,
                      v -> assertThat(v.password()).isEqualTo(r.password()));
            });
    var again = (RelaysPresence) next(gwWire, Direction.GATEWAY_OUTBOUND).payload();
    assertThat(again.connected().getFirst().expiresAt())
        .as("and again for each new set")
        .isGreaterThan(renewed.connected().getFirst().expiresAt());

    gateway.disconnect("test over");
    gateway.onTransportClosed();
  }

  @Test
  void flowAcrossTwoNodesThenRevocation() throws Exception {
    NodeServices a = node("node-a");
    NodeServices b = node("node-b");
    InMemoryTransport gwWire = new InMemoryTransport("10.1.0.9");
    gatewayChannel(b, gwWire).start();
    var gwInit = (GatewayOutbound.Init) next(gwWire, Direction.GATEWAY_OUTBOUND).payload();
    assertThat(gwInit.relays())
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.addr()).isEqualTo("203.0.113.7:3478");
              assertThat(new RelayCredentials(RELAY_SECRET).verify(r.username(), Instant.now()))
                  .as("the relay accepts the gateway's credentials")
                  .isInstanceOfSatisfying(
                      RelayCredentials.Valid.class,
                      v -> assertThat(v.password()).isEqualTo(r.password()));
            });

    InMemoryTransport clientWire = new InMemoryTransport("192.0.2.7");
    ClientChannel client =
        new ClientChannel(
            a,
            new Joins.ClientJoin(
                new TokenInfo(UUID.randomUUID(), account, "client", actor, null, null),
                "laptop",
                "laptop",
                "cpk",
                "1.4.0",
                "192.0.2.7"),
            clientWire);
    client.start();
    var init = (ClientOutbound.Init) next(clientWire, Direction.CLIENT_OUTBOUND).payload();
    assertThat(init.resources()).extracting(r -> r.id()).containsExactly(resource);
    assertThat(init.relays())
        .singleElement()
        .satisfies(
            r ->
                assertThat(new RelayCredentials(RELAY_SECRET).verify(r.username(), Instant.now()))
                    .isInstanceOf(RelayCredentials.Valid.class));
    assertThat(init.relays().getFirst().username())
        .as("credentials name their holder (a hash of its key), so each side has its own")
        .isNotEqualTo(gwInit.relays().getFirst().username());

    client.onFrame("this is not json");
    assertThat(((ErrorReply) next(clientWire, Direction.CLIENT_OUTBOUND).payload()).reason())
        .isEqualTo("malformed_json");

    client.onFrame(
        CODEC.encode(Envelope.of("1", new ClientInbound.CreateFlow(resource, List.of()))));
    var af = (GatewayOutbound.AuthorizeFlow) next(gwWire, Direction.GATEWAY_OUTBOUND).payload();
    assertThat(af.client().id()).isEqualTo(init.clientId());
    GatewayChannel gateway = b.hub().gateway(gwInit.gatewayId());
    gateway.onFrame(CODEC.encode(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref()))));
    Envelope<ClientOutbound> created = next(clientWire, Direction.CLIENT_OUTBOUND);
    assertThat(created.ref()).isEqualTo("1");
    var fc = (ClientOutbound.FlowCreated) created.payload();
    assertThat(fc.gatewayId()).isEqualTo(gwInit.gatewayId());
    assertThat(fc.gatewayEndpoint()).isEqualTo("192.0.2.1:51820");
    assertThat(store.flows).hasSize(1);

    Row.Flow flow = store.flows.getFirst();
    Instant now = Instant.now();
    b.hub().accept(new Change<>(Table.FLOWS, Change.Op.DELETE, 20, 30, now, flow, null));
    a.hub()
        .accept(
            new Change<>(
                Table.POLICIES,
                Change.Op.DELETE,
                10,
                30,
                now,
                new Row.Policy(policy, account, group, resource, "[]", null, null, null),
                null));
    assertThat(next(gwWire, Direction.GATEWAY_OUTBOUND).payload())
        .isEqualTo(new GatewayOutbound.RejectAccess(init.clientId(), resource));
    assertThat(next(clientWire, Direction.CLIENT_OUTBOUND).payload())
        .isEqualTo(new ClientOutbound.ResourceDeleted(resource));
    assertThat(a.metrics().rejectedFrames.get()).isEqualTo(1);
  }

  @Test
  void aFloodIsCutAtTheRateLimitAndTheChannelSurvives() throws Exception {
    NodeServices a = node("node-a");
    InMemoryTransport wire = new InMemoryTransport("192.0.2.7");
    ClientChannel c =
        new ClientChannel(
            a,
            new Joins.ClientJoin(
                new TokenInfo(UUID.randomUUID(), account, "client", actor, null, null),
                "laptop",
                "laptop",
                "cpk",
                "1.4.0",
                null),
            wire);
    c.start();
    next(wire, Direction.CLIENT_OUTBOUND); // init
    for (int i = 0; i < 5_000; i++) {
      c.onFrame("{\"v\":1,\"event\":\"nope\"}");
    }
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .until(() -> a.metrics().rejectedFrames.get() + a.metrics().droppedFrames.get() >= 5_000);
    assertThat(a.metrics().droppedFrames.get()).isGreaterThan(0);
    assertThat(wire.sent())
        .anySatisfy(f -> assertThat(f).contains("rate_limited"))
        .filteredOn(f -> f.contains("rate_limited"))
        .hasSizeLessThanOrEqualTo(10);
    assertThat(wire.closedReason()).isNull();
  }

  @Test
  void aDeletedTokenClosesItsChannel() throws Exception {
    NodeServices a = node("node-a");
    UUID token = UUID.randomUUID();
    InMemoryTransport wire = new InMemoryTransport("192.0.2.7");
    new ClientChannel(
            a,
            new Joins.ClientJoin(
                new TokenInfo(token, account, "client", actor, null, null),
                "laptop",
                "laptop",
                "cpk",
                "1.4.0",
                null),
            wire)
        .start();
    next(wire, Direction.CLIENT_OUTBOUND); // init
    a.hub()
        .accept(
            new Change<>(
                Table.TOKENS,
                Change.Op.DELETE,
                5,
                5,
                Instant.now(),
                new Row.Token(token, account, "client", actor, null, "00", null, Instant.now()),
                null));
    var d = (dev.gatehouse.protocol.Disconnect) next(wire, Direction.CLIENT_OUTBOUND).payload();
    assertThat(d.reason()).isEqualTo("token deleted");
    // The channel sends the disconnect, then closes the transport, on its own thread.
    org.awaitility.Awaitility.await()
        .atMost(WAIT)
        .untilAsserted(() -> assertThat(wire.closedReason()).isEqualTo("token deleted"));
  }
}
