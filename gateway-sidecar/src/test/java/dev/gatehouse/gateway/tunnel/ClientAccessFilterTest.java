package dev.gatehouse.gateway.tunnel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.gateway.agent.AccessRule;
import dev.gatehouse.tunnel.filter.FilterRule;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.net.InetAddress;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ClientAccessFilterTest {

  static byte[] tcp(String dst, int port) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(40);
    b.put((byte) 0x45).put((byte) 0).putShort((short) 40).putInt(0);
    b.put((byte) 64).put((byte) 6).putShort((short) 0);
    b.put(InetAddress.getByName("100.64.0.2").getAddress());
    b.put(InetAddress.getByName(dst).getAddress());
    b.putShort((short) 40000).putShort((short) port).putInt(0).putInt(0);
    b.put((byte) 0x50).put((byte) 2).putShort((short) 1000).putInt(0);
    return b.array();
  }

  static boolean permits(ClientAccessFilter f, String dst, int port) throws Exception {
    byte[] p = tcp(dst, port);
    return f.permits(p, 0, p.length);
  }

  @Test
  void onlyAuthorizedDestinationsWithTheirFilters() throws Exception {
    ClientAccessFilter f =
        new ClientAccessFilter(
            List.of(
                new AccessRule(
                    UUID.randomUUID(),
                    IpPrefix.parse("10.0.0.0/16"),
                    List.of(new FilterRule.PermitAll())),
                new AccessRule(
                    UUID.randomUUID(),
                    IpPrefix.parse("10.0.0.5/32"),
                    List.of(new FilterRule.PermitPorts(FilterRule.Protocol.TCP, 80, 80)))));
    assertThat(permits(f, "10.0.0.5", 80)).isTrue();
    assertThat(permits(f, "10.0.0.5", 22)).isFalse(); // longest prefix decides
    assertThat(permits(f, "10.0.9.9", 22)).isTrue();
    assertThat(permits(f, "10.1.0.1", 80)).isFalse();
  }

  @Test
  void rulesCanBeSwappedAndEmptied() throws Exception {
    ClientAccessFilter f =
        new ClientAccessFilter(
            List.of(
                new AccessRule(
                    UUID.randomUUID(),
                    IpPrefix.parse("10.0.0.5/32"),
                    List.of(new FilterRule.PermitAll()))));
    assertThat(permits(f, "10.0.0.5", 80)).isTrue();
    f.set(List.of());
    assertThat(permits(f, "10.0.0.5", 80)).isFalse();
  }

  /**
   * A dns resource's grant covers packets to the client's proxy address only: revoking the ip
   * resource of the same server (found on the real node, where both sat on one gateway) must close
   * the server's address even while the name stays granted.
   */
  @Test
  void aNamesGrantDoesNotOpenItsResolvedAddressToDirectPackets() throws Exception {
    dev.gatehouse.gateway.nat.NatTable nat = new dev.gatehouse.gateway.nat.NatTable();
    int client = ipv4("100.64.0.2");
    nat.set(client, java.util.Map.of(ipv4("100.96.0.7"), ipv4("10.0.0.3")));
    AccessRule byName =
        new AccessRule(
            UUID.randomUUID(),
            IpPrefix.parse("10.0.0.3/32"),
            List.of(new FilterRule.PermitPorts(FilterRule.Protocol.TCP, 8080, 8080)),
            true);
    AccessRule byAddress =
        new AccessRule(
            UUID.randomUUID(),
            IpPrefix.parse("10.0.0.3/32"),
            List.of(new FilterRule.PermitPorts(FilterRule.Protocol.TCP, 22, 22)));
    ClientAccessFilter f = new ClientAccessFilter(List.of(byName), nat);
    assertThat(permits(f, "100.96.0.7", 8080)).as("through the proxy address").isTrue();
    assertThat(permits(f, "10.0.0.3", 8080)).as("straight to the resolved address").isFalse();

    f.set(List.of(byName, byAddress));
    assertThat(permits(f, "10.0.0.3", 22)).as("the ip resource's own filter").isTrue();
    assertThat(permits(f, "10.0.0.3", 8080)).as("not the name's filter").isFalse();
    assertThat(permits(f, "100.96.0.7", 22)).as("not the ip resource's filter").isFalse();
  }

  private static int ipv4(String address) throws Exception {
    return ByteBuffer.wrap(InetAddress.getByName(address).getAddress()).getInt();
  }

  @Test
  void garbageIsDenied() {
    ClientAccessFilter f = new ClientAccessFilter(List.of());
    assertThat(f.permits(new byte[] {0x45, 0, 0}, 0, 3)).isFalse();
    assertThat(f.permits(new byte[0], 0, 0)).isFalse();
  }
}
