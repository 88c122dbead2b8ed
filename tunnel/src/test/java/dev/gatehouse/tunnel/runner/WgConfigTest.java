package dev.gatehouse.tunnel.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.tunnel.wireguard.IpPrefix;
import java.time.Duration;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

class WgConfigTest {
  private static final String KEY = "yAnz5TF+lXXJte14tji3zlMNq+hd2rYUIgJBgB3fBmk=";
  private static final String PUB = "xTIBA5rboUvnH4htodjb6e697QjLERt1NAB4mZqp8Dg=";

  @Test
  void parsesAWgQuickFile() {
    WgConfig c =
        WgConfig.parse(
            """
            # a client
            [Interface]
            PrivateKey = %s
            ListenPort = 51820
            Address = 10.0.0.1/24, fd00::1/64
            DNS = 1.1.1.1
            MTU = 1380

            [Peer]
            PublicKey = %s
            PresharedKey = %s
            AllowedIPs = 10.0.0.2/32, 192.168.0.0/16
            Endpoint = gw.example.test:51820
            PersistentKeepalive = 25
            """
                .formatted(KEY, PUB, KEY));
    assertThat(c.listenPort()).isEqualTo(51820);
    assertThat(c.mtu()).isEqualTo(1380);
    assertThat(c.addresses())
        .containsExactly(IpPrefix.parse("10.0.0.1/24"), IpPrefix.parse("fd00::1/64"));
    assertThat(c.peers()).hasSize(1);
    WgConfig.Peer p = c.peers().get(0);
    assertThat(p.allowedIps()).hasSize(2);
    assertThat(p.endpoint()).isEqualTo("gw.example.test:51820");
    assertThat(p.persistentKeepalive()).isEqualTo(Duration.ofSeconds(25));
    assertThat(p.presharedKey()).hasSize(32);
  }

  @Test
  void reportsTheLineOfABadValue() {
    assertThatThrownBy(
            () ->
                WgConfig.parse("[Interface]\nPrivateKey = %s\nListenPort = 70000\n".formatted(KEY)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("line 3");
    assertThatThrownBy(() -> WgConfig.parse("[Peer]\nPublicKey = %s\n".formatted(PUB)))
        .hasMessageContaining("PrivateKey is missing");
    assertThatThrownBy(() -> WgConfig.parse("[Interface]\nPrivateKey = short\n"))
        .hasMessageContaining("line 2");
  }

  @Test
  void resolvesV6Endpoints() {
    WgConfig.Peer p =
        new WgConfig.Peer(new byte[32], null, java.util.List.of(), "[::1]:51820", Duration.ZERO);
    assertThat(p.resolveEndpoint().getPort()).isEqualTo(51820);
    assertThat(p.resolveEndpoint().getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
  }

  @Property(tries = 2000)
  void randomTextThrowsOnlyIllegalArgument(@ForAll String text) {
    try {
      WgConfig.parse("[Interface]\nPrivateKey = " + KEY + "\n" + text);
    } catch (IllegalArgumentException expected) {
      // documented
    }
  }
}
