package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.InMemoryHostNetwork;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.DropReason;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The real API node (in-process, on the PostgreSQL of {@code e2e/scripts/postgres.sh}) with the
 * real gateway and client runtimes over in-memory TUN devices and UDP: join with the real token
 * check, {@code init}, {@code create_flow} → {@code authorize_flow} → {@code flow_authorized} →
 * {@code flow_created}, packets through the tunnel with the resource's filter enforced, and a
 * policy revocation that reaches both sides through CDC. Needs PostgreSQL; fails (never skips)
 * without it.
 */
class RealApiNodeFlowIT {

  static final String RESOURCE_IP = "10.20.0.5";

  final List<AutoCloseable> open = new ArrayList<>();
  final UUID account = UUID.randomUUID();
  Connection sql;

  @AfterEach
  void tearDown() throws Exception {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing
      }
    }
  }

  static DatabaseConfig database() {
    DatabaseConfig db = DatabaseConfig.fromEnvironment();
    try (Connection c = db.connect()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is unreachable at "
              + db.url()
              + " ("
              + e.getMessage()
              + "). Start it with: e2e/scripts/postgres.sh start",
          e);
    }
    ApiSchema.migrate(db);
    return db;
  }

  void exec(String statement, Object... params) throws SQLException {
    new ControlPlaneRows(sql, account).exec(statement, params);
  }

  String token(String prefix, String type, String column, UUID owner) throws SQLException {
    return new ControlPlaneRows(sql, account).token(prefix, type, column, owner);
  }

  static byte[] tcp(String src, String dst, int dstPort) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0);
    b.put((byte) 64).put((byte) 6).putShort((short) 0);
    b.put(InetAddress.getByName(src).getAddress()).put(InetAddress.getByName(dst).getAddress());
    b.putShort((short) 40001).putShort((short) dstPort).putInt(1).putInt(0);
    b.put((byte) 0x50).put((byte) 2).putShort((short) 1000).putInt(0);
    return b.array();
  }

  @Test
  void gatewayAndClientSetUpAFlowThroughTheRealApiNodeAndLoseItWhenThePolicyGoes()
      throws Exception {
    DatabaseConfig db = database();
    sql = db.connect();
    open.add(sql);
    UUID actor = UUID.randomUUID();
    UUID group = UUID.randomUUID();
    UUID site = UUID.randomUUID();
    UUID resource = UUID.randomUUID();
    UUID policy = UUID.randomUUID();
    exec("INSERT INTO accounts (id, name, slug) VALUES (?, 'e2e', ?)", account, "e2e-" + account);
    exec(
        "INSERT INTO actors (id, account_id, name, type) VALUES (?, ?, 'a', 'account_user')",
        actor,
        account);
    exec("INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'g')", group, account);
    exec(
        "INSERT INTO memberships (id, account_id, actor_id, group_id) VALUES (?, ?, ?, ?)",
        UUID.randomUUID(),
        account,
        actor,
        group);
    exec("INSERT INTO sites (id, account_id, name) VALUES (?, ?, ?)", site, account, "s-" + site);
    exec(
        "INSERT INTO resources (id, account_id, name, type, address, filters) VALUES (?, ?, 'web',"
            + " 'ip', ?, '[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]')",
        resource,
        account,
        RESOURCE_IP);
    exec(
        "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)",
        resource,
        site,
        account);
    exec(
        "INSERT INTO policies (id, account_id, group_id, resource_id, conditions) VALUES (?, ?, ?,"
            + " ?, '[]'::jsonb)",
        policy,
        account,
        group,
        resource);
    String siteToken = token("ghgw_", "site", "site_id", site);
    String clientToken = token("ghc_", "client", "actor_id", actor);

    ApiNode node =
        new ApiNode(
            ApiNodeConfig.defaults(
                    "e2e-" + UUID.randomUUID().toString().substring(0, 8),
                    account,
                    "e2e-flow-key-secret-32-bytes-long!!".getBytes(StandardCharsets.UTF_8),
                    null)
                .withBindHost("127.0.0.1"),
            db,
            InstantSource.system());
    open.add(node);
    int port = node.start(0);
    URI api = URI.create("ws://127.0.0.1:" + port);

    InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
    ControlChannelState gatewayState = new ControlChannelState(InstantSource.system());
    InMemoryTunDevice gatewayTun = new InMemoryTunDevice("gw0", 1280);
    GatewayRuntime gateway =
        new GatewayRuntime(
                new GatewayRuntime.Options(
                    new ControlChannel.Options(
                        api,
                        siteToken,
                        Map.of(
                            "external_id",
                            UUID.randomUUID().toString(),
                            "endpoint",
                            "192.0.2.1:51820"),
                        null,
                        null,
                        null,
                        Duration.ofMillis(200)),
                    "gw0",
                    1280,
                    true),
                StaticIdentity.generate(),
                gatewayTun,
                net.bind(new InetSocketAddress("192.0.2.1", 51820)),
                new InMemoryHostNetwork(),
                gatewayState,
                InstantSource.system(),
                line -> System.out.println("gateway: " + line))
            .start();
    open.add(gateway);
    await().atMost(Duration.ofSeconds(20)).until(() -> gatewayState.current().isConnected());
    // The API node answers pings: with a 200 ms interval the channel survives many of them.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> gatewayState.current().isConnected());

    InMemoryTunDevice clientTun = new InMemoryTunDevice("gc0", 1280);
    InMemoryInterface ifc = new InMemoryInterface();
    ClientRuntime client =
        new ClientRuntime(
                new ClientRuntime.Options(
                    new ControlChannel.Options(
                        api,
                        clientToken,
                        Map.of("external_id", "laptop-" + UUID.randomUUID()),
                        null,
                        null,
                        null),
                    ClientAgent.Settings.defaults(),
                    1280,
                    Duration.ZERO,
                    null),
                StaticIdentity.generate(),
                clientTun,
                net.bind(new InetSocketAddress("192.0.2.2", 40000)),
                ifc,
                line -> System.out.println("client: " + line))
            .start();
    open.add(client);
    IpPrefix route = IpPrefix.parse(RESOURCE_IP + "/32");
    await().atMost(Duration.ofSeconds(20)).until(() -> ifc.routes().contains(route));
    String src = ifc.addresses().getFirst().address().getHostAddress();

    byte[] syn = tcp(src, RESOURCE_IP, 443);
    clientTun.inject(syn);
    assertThat(gatewayTun.takeWritten(15_000))
        .as("the first packet, through the tunnel")
        .isEqualTo(syn);
    assertThat(gateway.activeFlows()).isEqualTo(1);

    byte[] ssh = tcp(src, RESOURCE_IP, 22);
    clientTun.inject(ssh);
    await().atMost(Duration.ofSeconds(5)).until(() -> gateway.dropCount(DropReason.FILTERED) >= 1);

    // Revoking the policy: the gateway gets reject_access, the client resource_deleted.
    exec("UPDATE policies SET deleted_at = now() WHERE id = ?", policy);
    await().atMost(Duration.ofSeconds(15)).until(() -> gateway.peerCount() == 0);
    await().atMost(Duration.ofSeconds(15)).until(() -> !ifc.routes().contains(route));
    assertThat(gateway.activeFlows()).isZero();
  }
}
