package dev.gatehouse.tunnel.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetSocketAddress;
import org.junit.jupiter.api.Test;

class HostPortTest {

  @Test
  void ipv4Ipv6AndNamesParse() {
    assertThat(HostPort.parse("10.0.0.1:51820"))
        .isEqualTo(new InetSocketAddress("10.0.0.1", 51820));
    assertThat(HostPort.parse("[fd00::1]:3478")).isEqualTo(new InetSocketAddress("fd00::1", 3478));
    assertThat(HostPort.parse("localhost:80").isUnresolved()).isFalse();
  }

  @Test
  void badTextIsRefusedNamingWhatIsWrong() {
    assertThatThrownBy(() -> HostPort.parse("10.0.0.1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("needs host:port: 10.0.0.1");
    assertThatThrownBy(() -> HostPort.parse(":51820")).hasMessageContaining("needs host:port");
    assertThatThrownBy(() -> HostPort.parse("10.0.0.1:udp"))
        .hasMessage("port is not a number: 10.0.0.1:udp");
    assertThatThrownBy(() -> HostPort.parse("10.0.0.1:70000"))
        .hasMessage("port out of range: 10.0.0.1:70000");
  }
}
