package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.client.tunnel.InMemoryInterface;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.tunnel.GatewayRuntime;
import dev.gatehouse.gateway.tunnel.NameResolver;
import dev.gatehouse.tunnel.tun.InMemoryTunDevice;
import dev.gatehouse.tunnel.wireguard.DropReason;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.net.InetAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.InstantSource;
import org.junit.jupiter.api.AutoClose;
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

  @AutoClose InProcessStack stack;

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
    stack = new InProcessStack();
    ControlPlaneRows.Access access = stack.rows.allowOneResource("e2e", "web", "ip", RESOURCE_IP);
    URI api = stack.startApiNode("e2e-");

    ControlChannelState gatewayState = new ControlChannelState(InstantSource.system());
    InMemoryTunDevice gatewayTun = new InMemoryTunDevice("gw0", 1280);
    GatewayRuntime gateway =
        stack.startGateway(
            api,
            access.siteToken(),
            Duration.ofMillis(200),
            NameResolver.system(Duration.ofSeconds(5)),
            gatewayTun,
            gatewayState);
    await().atMost(Duration.ofSeconds(20)).until(() -> gatewayState.current().isConnected());
    // The API node answers pings: with a 200 ms interval the channel survives many of them.
    await()
        .during(Duration.ofMillis(1500))
        .atMost(Duration.ofSeconds(3))
        .until(() -> gatewayState.current().isConnected());

    InMemoryTunDevice clientTun = new InMemoryTunDevice("gc0", 1280);
    InMemoryInterface ifc = new InMemoryInterface();
    stack.startClient(api, access.clientToken(), clientTun, ifc);
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
    stack.rows.exec("UPDATE policies SET deleted_at = now() WHERE id = ?", access.policy());
    await().atMost(Duration.ofSeconds(15)).until(() -> gateway.peerCount() == 0);
    await().atMost(Duration.ofSeconds(15)).until(() -> !ifc.routes().contains(route));
    assertThat(gateway.activeFlows()).isZero();
  }
}
