package dev.gatehouse.e2e.local;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.testing.TestPostgres;
import dev.gatehouse.gateway.agent.GatewayAgent;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.InMemoryHostNetwork;
import dev.gatehouse.gateway.tunnel.NameResolver;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The in-process API node ITs' stack on the PostgreSQL of {@code e2e/scripts/postgres.sh} (fails,
 * never skips, without it): control-plane rows, the real API node on them, and the real gateway (at
 * 192.0.2.1:51820) and client (at 192.0.2.2:40000) runtimes over in-memory TUN devices and one
 * in-memory UDP network. {@link #close()} closes what it opened, last first.
 */
final class InProcessStack implements AutoCloseable {
  private static final TestPostgres POSTGRES =
      new TestPostgres(DatabaseConfig.fromEnvironment(), ApiSchema::migrate);

  final UUID account = UUID.randomUUID();
  final DatabaseConfig db;
  final ControlPlaneRows rows;
  final InMemoryDatagramTransport.Network net = new InMemoryDatagramTransport.Network();
  private final List<AutoCloseable> open = new ArrayList<>();

  /** Connects to the database, migrated on first use. */
  InProcessStack() throws SQLException {
    db = POSTGRES.migrated();
    Connection sql = db.connect();
    open.add(sql);
    rows = new ControlPlaneRows(sql, account);
  }

  /** Starts an API node named {@code namePrefix} and a random suffix; returns its WebSocket URI. */
  URI startApiNode(String namePrefix) throws Exception {
    ApiNode node =
        new ApiNode(
            ApiNodeConfig.defaults(
                    namePrefix + UUID.randomUUID().toString().substring(0, 8),
                    account,
                    "e2e-flow-key-secret-32-bytes-long!!".getBytes(StandardCharsets.UTF_8),
                    null)
                .withBindHost("127.0.0.1"),
            db,
            InstantSource.system());
    open.add(node);
    return URI.create("ws://127.0.0.1:" + node.start(0));
  }

  /**
   * Starts the gateway runtime on {@code tun} as device {@code gw0}.
   *
   * @param pingInterval the control channel's, null for its default
   * @param resolver how the gateway resolves the names of DNS resources
   */
  /** How often the gateway resolves the names in use again (a test may shorten it). */
  long gatewayDnsRefreshSeconds = GatewayAgent.DEFAULT_DNS_REFRESH_SECONDS;

  GatewayRuntime startGateway(
      URI api,
      String siteToken,
      Duration pingInterval,
      NameResolver resolver,
      InMemoryTunDevice tun,
      ControlChannelState state)
      throws Exception {
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
                        pingInterval),
                    "gw0",
                    1280,
                    true,
                    gatewayDnsRefreshSeconds),
                StaticIdentity.generate(),
                tun,
                net.bind(new InetSocketAddress("192.0.2.1", 51820)),
                new InMemoryHostNetwork(),
                state,
                InstantSource.system(),
                line -> System.out.println("gateway: " + line),
                resolver)
            .start();
    open.add(gateway);
    return gateway;
  }

  /** Starts the client runtime on {@code tun}, with {@code ifc} as its interface. */
  ClientRuntime startClient(
      URI api, String clientToken, InMemoryTunDevice tun, InMemoryInterface ifc) throws Exception {
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
                tun,
                net.bind(new InetSocketAddress("192.0.2.2", 40000)),
                ifc,
                line -> System.out.println("client: " + line))
            .start();
    open.add(client);
    return client;
  }

  @Override
  public void close() {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing
      }
    }
  }
}
