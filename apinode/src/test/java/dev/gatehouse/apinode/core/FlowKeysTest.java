package dev.gatehouse.apinode.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FlowKeysTest {

  final FlowKeys keys =
      new FlowKeys("0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8));
  final UUID c = UUID.randomUUID();
  final UUID g = UUID.randomUUID();

  @Test
  void pskIs32BytesAndStablePerPairButDiffersAcrossPairsAndSecrets() {
    String psk = keys.presharedKey(c, "cpk", g, "gpk");
    assertThat(Base64.getDecoder().decode(psk)).hasSize(32);
    assertThat(keys.presharedKey(c, "cpk", g, "gpk")).isEqualTo(psk);
    assertThat(keys.presharedKey(c, "cpk", UUID.randomUUID(), "gpk")).isNotEqualTo(psk);
    assertThat(keys.presharedKey(c, "other", g, "gpk")).isNotEqualTo(psk);
    FlowKeys other =
        new FlowKeys("another-secret-of-at-least-32-bytes".getBytes(StandardCharsets.UTF_8));
    assertThat(other.presharedKey(c, "cpk", g, "gpk")).isNotEqualTo(psk);
  }

  @Test
  void shortSecretsAreRefused() {
    assertThatThrownBy(() -> new FlowKeys(new byte[16]))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void iceCredentialsAreDeterministicAndDistinctPerSide() {
    var a = FlowKeys.iceCredentials(c, "cpk", g, "gpk");
    var b = FlowKeys.iceCredentials(c, "cpk", g, "gpk");
    assertThat(a).containsExactly(b);
    assertThat(a[0]).isNotEqualTo(a[1]);
  }

  @Test
  void tunnelAddressesComeFromFirezonesRanges() {
    assertThat(TunnelAddresses.of(2).ipv4()).isEqualTo("100.64.0.2");
    assertThat(TunnelAddresses.of(2).ipv6()).isEqualTo("fd00:2021:1111::0:2");
    assertThat(TunnelAddresses.of(70_000).ipv4()).isEqualTo("100.65.17.112");
    assertThat(TunnelAddresses.of(70_000).ipv6()).isEqualTo("fd00:2021:1111::1:1170");
    assertThat(TunnelAddresses.of(TunnelAddresses.SIZE - 2).ipv4()).isEqualTo("100.95.255.254");
    assertThatThrownBy(() -> TunnelAddresses.of(TunnelAddresses.SIZE))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
