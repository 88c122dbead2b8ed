package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.core.dns.DnsStub;
import dev.gatehouse.client.core.dns.UdpPackets;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.NameResolver;
import dev.gatehouse.tunnel.packet.Checksums;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.io.ByteArrayOutputStream;
import java.net.InetAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AutoClose;
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

  @AutoClose InProcessStack stack;

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

  /** A connected gateway and client, and the client's tunnel address. */
  record Sides(
      GatewayRuntime gateway,
      InMemoryTunDevice gatewayTun,
      ClientRuntime client,
      InMemoryTunDevice clientTun,
      byte[] me) {}

  /** Starts a gateway resolving with {@code dns} and a client, and waits until both are up. */
  Sides connect(URI api, ControlPlaneRows.Access access, NameResolver dns) throws Exception {
    ControlChannelState gatewayState = new ControlChannelState(InstantSource.system());
    InMemoryTunDevice gatewayTun = new InMemoryTunDevice("gw0", 1280);
    GatewayRuntime gateway =
        stack.startGateway(api, access.siteToken(), null, dns, gatewayTun, gatewayState);
    await().atMost(Duration.ofSeconds(20)).until(() -> gatewayState.current().isConnected());
    InMemoryTunDevice clientTun = new InMemoryTunDevice("gc0", 1280);
    InMemoryInterface ifc = new InMemoryInterface();
    ClientRuntime client = stack.startClient(api, access.clientToken(), clientTun, ifc);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(
            () ->
                ifc.routes().contains(ClientAgent.STUB_ROUTE)
                    && ifc.routes().contains(ClientAgent.PROXY_RANGE));
    return new Sides(
        gateway, gatewayTun, client, clientTun, ifc.addresses().getFirst().address().getAddress());
  }

  @Test
  void aNameUnderADnsResourceIsReachedThroughItsProxyAddress() throws Exception {
    stack = new InProcessStack();
    ControlPlaneRows.Access access = stack.rows.allowOneResource("dns", "svc", "dns", "*.svc.test");
    URI api = stack.startApiNode("dns-");

    // The gateway's resolver, as the cluster DNS would answer; other names do not exist.
    InetAddress real = InetAddress.getByAddress(addr(REAL_IP));
    NameResolver clusterDns =
        name ->
            name.equals("web.svc.test")
                ? CompletableFuture.completedFuture(List.of(real))
                : CompletableFuture.failedFuture(
                    new IllegalStateException("NXDOMAIN from the cluster DNS"));
    Sides sides = connect(api, access, clusterDns);
    GatewayRuntime gateway = sides.gateway();
    InMemoryTunDevice gatewayTun = sides.gatewayTun();
    ClientRuntime client = sides.client();
    InMemoryTunDevice clientTun = sides.clientTun();
    byte[] me = sides.me();

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

  /**
   * The pod behind a name is replaced (a headless Service's new pod IP): the gateway's periodic
   * lookup sees the old address gone and sends the client's next connection to the new one, through
   * the same proxy address, with no new flow.
   */
  @Test
  void aNameWhoseAddressChangesIsFollowedWithoutANewFlow() throws Exception {
    stack = new InProcessStack();
    stack.gatewayDnsRefreshSeconds = 1;
    ControlPlaneRows.Access access = stack.rows.allowOneResource("dns", "svc", "dns", "*.svc.test");
    URI api = stack.startApiNode("dns-move-");
    AtomicReference<InetAddress> answer =
        new AtomicReference<>(InetAddress.getByAddress(addr(REAL_IP)));
    NameResolver clusterDns = name -> CompletableFuture.completedFuture(List.of(answer.get()));
    Sides sides = connect(api, access, clusterDns);
    InMemoryTunDevice gatewayTun = sides.gatewayTun();
    ClientRuntime client = sides.client();
    InMemoryTunDevice clientTun = sides.clientTun();
    byte[] me = sides.me();
    clientTun.inject(dnsQuery(me, "db.svc.test"));
    byte[] proxy = answeredAddress(clientTun.takeWritten(5_000));

    clientTun.inject(tcp(me, 41001, proxy, 443, 0x02));
    byte[] first = gatewayTun.takeWritten(15_000);
    assertThat(first).as("the first SYN through the tunnel").isNotNull();
    assertThat(Arrays.copyOfRange(first, 16, 20)).isEqualTo(addr(REAL_IP));
    int flows = client.status().flows().size();

    answer.set(InetAddress.getByAddress(addr("10.20.0.8")));
    await()
        .atMost(Duration.ofSeconds(15))
        .untilAsserted(
            () -> {
              clientTun.inject(tcp(me, 41002, proxy, 443, 0x02));
              byte[] next = gatewayTun.takeWritten(1_000);
              assertThat(next).isNotNull();
              assertThat(Arrays.copyOfRange(next, 16, 20))
                  .as("the next connection goes to the new address")
                  .isEqualTo(addr("10.20.0.8"));
              assertChecksumsValid(next);
            });
    assertThat(client.status().flows()).as("no new flow").hasSize(flows);

    // The reply from the new address comes back from the same proxy address.
    gatewayTun.inject(tcp(addr("10.20.0.8"), 443, me, 41002, 0x12));
    byte[] reply = clientTun.takeWritten(10_000);
    assertThat(reply).isNotNull();
    assertThat(Arrays.copyOfRange(reply, 12, 16)).isEqualTo(proxy);
  }
}
