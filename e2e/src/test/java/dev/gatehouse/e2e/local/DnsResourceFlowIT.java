package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.core.dns.DnsStub;
import dev.gatehouse.client.core.dns.UdpPackets;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.InMemoryHostNetwork;
import dev.gatehouse.gateway.tunnel.NameResolver;
import dev.gatehouse.tunnel.net.InMemoryDatagramTransport;
import dev.gatehouse.tunnel.packet.Checksums;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A {@code dns} resource end to end, with the real API node on the PostgreSQL of {@code
 * e2e/scripts/postgres.sh} and the real gateway and client runtimes over in-memory TUN and UDP: the
 * client's stub answers {@code web.svc.test} with a proxy address, a TCP SYN to it sets up a flow
 * whose {@code authorize_flow} names the domain, the gateway resolves it (with an injected
 * resolver, so no network is needed) and the SYN reaches the gateway's TUN addressed to the real
 * address; the reply comes back from the proxy address. A name the gateway cannot resolve fails its
 * flow with the reason. Needs PostgreSQL; fails (never skips) without it.
 */
class DnsResourceFlowIT {

  static final String REAL_IP = "10.20.0.7";

  final List<AutoCloseable> open = new ArrayList<>();
  final UUID account = UUID.randomUUID();
  Connection sql;

  @AfterEach
  void tearDown() {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        // keep closing
      }
    }
  }

  void exec(String statement, Object... params) throws SQLException {
    new ControlPlaneRows(sql, account).exec(statement, params);
  }

  String token(String prefix, String type, String column, UUID owner) throws SQLException {
    return new ControlPlaneRows(sql, account).token(prefix, type, column, owner);
  }

  /** An A query for {@code name}, framed as IPv4/UDP from {@code src}:5300 to the stub. */
  static byte[] dnsQuery(byte[] src, String name) {
    ByteArrayOutputStream q = new ByteArrayOutputStream();
    q.writeBytes(new byte[] {0x12, 0x34, 0x01, 0, 0, 1, 0, 0, 0, 0, 0, 0});
    for (String label : name.split("\\.")) {
      q.write(label.length());
      q.writeBytes(label.getBytes(StandardCharsets.US_ASCII));
    }
    q.writeBytes(new byte[] {0, 0, 1, 0, 1});
    byte[] m = q.toByteArray();
    return UdpPackets.build(src, 5300, DnsStub.SENTINEL, 53, m, 0, m.length);
  }

  /** The address of the single A record in the stub's answer packet. */
  static byte[] answeredAddress(byte[] packet) {
    assertThat(Arrays.copyOfRange(packet, 12, 16)).as("from the stub").isEqualTo(DnsStub.SENTINEL);
    assertThat(Checksums.word(packet, 28 + 6)).as("one answer").isEqualTo(1);
    return Arrays.copyOfRange(packet, packet.length - 4, packet.length);
  }

  /** A TCP segment with valid checksums. */
  static byte[] tcp(byte[] src, int sport, byte[] dst, int dport, int flags) {
    byte[] p = new byte[40];
    p[0] = 0x45;
    p[3] = 40;
    p[8] = 64;
    p[9] = 6;
    System.arraycopy(src, 0, p, 12, 4);
    System.arraycopy(dst, 0, p, 16, 4);
    Checksums.putWord(p, 20, sport);
    Checksums.putWord(p, 22, dport);
    p[27] = 1;
    p[32] = 0x50;
    p[33] = (byte) flags;
    Checksums.putWord(p, 34, 1000);
    Checksums.putWord(p, 36, Checksums.ipv4Transport(p, 0, 40));
    Checksums.putWord(p, 10, Checksums.ipv4Header(p, 0));
    return p;
  }

  static void assertChecksumsValid(byte[] p) {
    assertThat(Checksums.word(p, 10)).isEqualTo(Checksums.ipv4Header(p, 0));
    assertThat(Checksums.word(p, 36)).isEqualTo(Checksums.ipv4Transport(p, 0, p.length));
  }

  static byte[] addr(String text) throws Exception {
    return InetAddress.getByName(text).getAddress();
  }

  @Test
  void aNameUnderADnsResourceIsReachedThroughItsProxyAddress() throws Exception {
    DatabaseConfig db = RealApiNodeFlowIT.database();
    sql = db.connect();
    open.add(sql);
    ApiSchema.migrate(db);
    UUID actor = UUID.randomUUID();
    UUID group = UUID.randomUUID();
    UUID site = UUID.randomUUID();
    UUID resource = UUID.randomUUID();
    exec("INSERT INTO accounts (id, name, slug) VALUES (?, 'dns', ?)", account, "dns-" + account);
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
        "INSERT INTO resources (id, account_id, name, type, address, filters) VALUES (?, ?, 'svc',"
            + " 'dns', '*.svc.test', '[{\"protocol\":\"tcp\",\"ports\":[\"443\"]}]')",
        resource,
        account);
    exec(
        "INSERT INTO resource_connections (resource_id, site_id, account_id) VALUES (?, ?, ?)",
        resource,
        site,
        account);
    exec(
        "INSERT INTO policies (id, account_id, group_id, resource_id, conditions) VALUES (?, ?, ?,"
            + " ?, '[]'::jsonb)",
        UUID.randomUUID(),
        account,
        group,
        resource);
    String siteToken = token("ghgw_", "site", "site_id", site);
    String clientToken = token("ghc_", "client", "actor_id", actor);

    ApiNode node =
        new ApiNode(
            ApiNodeConfig.defaults(
                    "dns-" + UUID.randomUUID().toString().substring(0, 8),
                    account,
                    "e2e-flow-key-secret-32-bytes-long!!".getBytes(StandardCharsets.UTF_8),
                    null)
                .withBindHost("127.0.0.1"),
            db,
            InstantSource.system());
    open.add(node);
    URI api = URI.create("ws://127.0.0.1:" + node.start(0));

    // The gateway's resolver, as the cluster DNS would answer; other names do not exist.
    InetAddress real = InetAddress.getByAddress(addr(REAL_IP));
    NameResolver clusterDns =
        name ->
            name.equals("web.svc.test")
                ? CompletableFuture.completedFuture(List.of(real))
                : CompletableFuture.failedFuture(
                    new IllegalStateException("NXDOMAIN from the cluster DNS"));
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
                        null),
                    "gw0",
                    1280,
                    true),
                StaticIdentity.generate(),
                gatewayTun,
                net.bind(new InetSocketAddress("192.0.2.1", 51820)),
                new InMemoryHostNetwork(),
                gatewayState,
                InstantSource.system(),
                line -> System.out.println("gateway: " + line),
                clusterDns)
            .start();
    open.add(gateway);
    await().atMost(Duration.ofSeconds(20)).until(() -> gatewayState.current().isConnected());

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
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ifc.routes().contains(ClientAgent.STUB_ROUTE)
                    && ifc.routes().contains(ClientAgent.PROXY_RANGE));
    byte[] me = ifc.addresses().getFirst().address().getAddress();

    // The stub answers the name with a proxy address.
    clientTun.inject(dnsQuery(me, "web.svc.test"));
    byte[] proxy = answeredAddress(clientTun.takeWritten(5_000));
    assertThat(proxy[0]).isEqualTo((byte) 100);
    assertThat(proxy[1] & 0xe0).as("in 100.96.0.0/11").isEqualTo(96);

    // A SYN to the proxy address arrives at the gateway's TUN addressed to the real one.
    clientTun.inject(tcp(me, 40001, proxy, 443, 0x02));
    byte[] arrived = gatewayTun.takeWritten(15_000);
    assertThat(arrived).as("the SYN through the tunnel").isNotNull();
    assertThat(Arrays.copyOfRange(arrived, 16, 20)).isEqualTo(addr(REAL_IP));
    assertThat(Arrays.copyOfRange(arrived, 12, 16)).isEqualTo(me);
    assertChecksumsValid(arrived);
    assertThat(gateway.natEntries()).isGreaterThanOrEqualTo(1);

    // The resource's SYN-ACK goes back from the proxy address.
    gatewayTun.inject(tcp(addr(REAL_IP), 443, me, 40001, 0x12));
    byte[] reply = clientTun.takeWritten(10_000);
    assertThat(reply).as("the SYN-ACK through the tunnel").isNotNull();
    assertThat(Arrays.copyOfRange(reply, 12, 16)).isEqualTo(proxy);
    assertThat(Arrays.copyOfRange(reply, 16, 20)).isEqualTo(me);
    assertChecksumsValid(reply);

    // The filter applies to the real destination: port 22 is not allowed.
    long filtered = gateway.dropCount(dev.gatehouse.tunnel.wireguard.DropReason.FILTERED);
    clientTun.inject(tcp(me, 40002, proxy, 22, 0x02));
    await()
        .atMost(Duration.ofSeconds(5))
        .until(
            () -> gateway.dropCount(dev.gatehouse.tunnel.wireguard.DropReason.FILTERED) > filtered);

    // A name the gateway cannot resolve: the flow fails, with the reason, on the client.
    clientTun.inject(dnsQuery(me, "gone.svc.test"));
    byte[] goneProxy = answeredAddress(clientTun.takeWritten(5_000));
    clientTun.inject(tcp(me, 40003, goneProxy, 443, 0x02));
    await()
        .atMost(Duration.ofSeconds(15))
        .until(
            () ->
                client.status().flows().values().stream()
                    .anyMatch(
                        f ->
                            f.contains("gone.svc.test")
                                && f.contains("unresolvable")
                                && f.contains("NXDOMAIN")));
    assertThat(client.statusText()).contains("dns_queries_answered_total: 2");
    assertThat(IpPrefix.parse("100.96.0.0/11")).isEqualTo(ClientAgent.PROXY_RANGE);
  }
}
