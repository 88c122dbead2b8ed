package dev.gatehouse.client.core.dns;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ProxyIpsTest {

  @Test
  void namesKeepDistinctAddressesInTheProxyRange() {
    ProxyIps ips = new ProxyIps(5000);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 5000; i++) {
      byte[] a = ips.assign("n" + i + ".svc.test");
      assertThat(a[0]).isEqualTo((byte) 100);
      assertThat(a[1] & 0xe0).isEqualTo(96);
      assertThat(seen.add(java.util.Arrays.toString(a))).isTrue();
      assertThat(ips.nameOf(a, 0)).isEqualTo("n" + i + ".svc.test");
    }
    assertThat(ips.assign("one.more")).as("full").isNull();
    assertThat(ips.assign("n7.svc.test")).isNotNull();
  }

  @Test
  void theSameNameGetsTheSameAddressInANewPool() {
    assertThat(new ProxyIps(10).assign("web.svc.test"))
        .isEqualTo(new ProxyIps(10).assign("web.svc.test"));
    assertThat(new ProxyIps(10).nameOf(new byte[] {10, 0, 0, 1}, 0)).isNull();
  }
}
