package dev.gatehouse.tunnel.wireguard;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AllowedIpsTest {
  private static InetAddress ip(String s) throws Exception {
    return InetAddress.getByName(s);
  }

  @Test
  void longestPrefixWinsForV4AndV6() throws Exception {
    AllowedIps<String> t = new AllowedIps<>();
    t.insert(ip("0.0.0.0"), 0, "default4");
    t.insert(ip("10.0.0.0"), 8, "ten");
    t.insert(ip("10.1.0.0"), 16, "ten-one");
    t.insert(ip("10.1.2.3"), 32, "host");
    t.insert(ip("fd00::"), 8, "ula");
    t.insert(ip("fd00:2021:1111::"), 107, "tunnel6");
    assertThat(t.lookup(ip("10.1.2.3"))).isEqualTo("host");
    assertThat(t.lookup(ip("10.1.2.4"))).isEqualTo("ten-one");
    assertThat(t.lookup(ip("10.2.0.1"))).isEqualTo("ten");
    assertThat(t.lookup(ip("192.168.1.1"))).isEqualTo("default4");
    assertThat(t.lookup(ip("fd00:2021:1111::5"))).isEqualTo("tunnel6");
    assertThat(t.lookup(ip("fd00:2021:1111:0:0:0:20:0"))).isEqualTo("ula"); // outside /107
    assertThat(t.lookup(ip("2001:db8::1"))).isNull();
  }

  @Test
  void replaceAndRemove() throws Exception {
    AllowedIps<String> t = new AllowedIps<>();
    t.insert(ip("10.0.0.0"), 24, "a");
    t.insert(ip("10.0.0.0"), 24, "b");
    assertThat(t.lookup(ip("10.0.0.9"))).isEqualTo("b");
    t.insert(ip("10.0.0.128"), 25, "a");
    assertThat(t.routesOf("a")).hasSize(1);
    assertThat(t.routesOf("a").get(0).address()).isEqualTo(ip("10.0.0.128"));
    t.removeAll("b");
    assertThat(t.lookup(ip("10.0.0.9"))).isNull();
    assertThat(t.lookup(ip("10.0.0.200"))).isEqualTo("a");
  }

  @Test
  void lookupFromBufferIgnoresBadLengths() {
    AllowedIps<String> t = new AllowedIps<>();
    assertThat(t.lookup(new byte[8], 0, 8)).isNull();
  }
}
