package dev.gatehouse.relay.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.relay.RelayCredentials;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {
  @TempDir Path dir;

  private Main.Launch launch(String... args) {
    Main main = new Main();
    new CommandLine(main).parseArgs(args);
    return main.launch();
  }

  private Path secret(String content) throws Exception {
    Path f = dir.resolve("secret");
    Files.writeString(f, content);
    return f;
  }

  @Test
  void defaultsFollowTheRfcAndFirezone() throws Exception {
    Main.Launch l =
        launch("--secret-file", secret("s3cret\n").toString(), "--public-ip", "203.0.113.5");
    assertThat(l.settings().listen()).isEqualTo(new InetSocketAddress("0.0.0.0", 3478));
    assertThat(l.settings().ports()).isEqualTo(PortRange.dynamic());
    assertThat(l.config().relayAddress()).isEqualTo(InetAddress.getByName("203.0.113.5"));
    assertThat(l.config().realm()).isEqualTo("gatehouse");
    assertThat(l.config().legacyChannelRange()).isFalse();
    assertThat(l.config().allowLoopbackPeers()).isFalse();
    assertThat(l.metricsAddress().getPort()).isEqualTo(9464);
    // the trailing newline of the file is not part of the secret
    RelayCredentials.Minted m = RelayCredentials.mint("s3cret", Instant.MAX.minusSeconds(1), "x");
    assertThat(l.credentials().verify(m.username(), Instant.EPOCH))
        .isEqualTo(new RelayCredentials.Valid(m.username(), m.password(), m.expiresAt()));
  }

  @Test
  void everyFlagIsHonoured() throws Exception {
    Main.Launch l =
        launch(
            "--listen",
            "127.0.0.1:0",
            "--secret-file",
            secret("x").toString(),
            "--realm",
            "example.org",
            "--port-range",
            "50000-50100",
            "--metrics-listen",
            "[::1]:0",
            "--allocation-quota",
            "3",
            "--rate-limit",
            "0",
            "--allow-loopback-peers",
            "--legacy-channel-range");
    assertThat(l.settings().listen()).isEqualTo(new InetSocketAddress("127.0.0.1", 0));
    assertThat(l.config().relayAddress()).isEqualTo(InetAddress.getByName("127.0.0.1"));
    assertThat(l.settings().ports()).isEqualTo(new PortRange(50000, 50100));
    assertThat(l.metricsAddress().getAddress()).isEqualTo(InetAddress.getByName("::1"));
    assertThat(l.config().realm()).isEqualTo("example.org");
    assertThat(l.config().allocationQuota()).isEqualTo(3);
    assertThat(l.config().rateBytesPerSecond()).isZero();
    assertThat(l.config().allowLoopbackPeers()).isTrue();
    assertThat(l.config().maxChannel()).isEqualTo(0x7FFF);
  }

  @Test
  void badFlagsAreRefusedWithAReason() throws Exception {
    String s = secret("x").toString();
    assertThatThrownBy(() -> launch("--secret-file", s))
        .hasMessageContaining("--public-ip is required");
    assertThatThrownBy(
            () -> launch("--secret-file", secret("  \n").toString(), "--public-ip", "1.2.3.4"))
        .hasMessageContaining("is empty");
    assertThatThrownBy(
            () ->
                launch(
                    "--secret-file", dir.resolve("missing").toString(), "--public-ip", "1.2.3.4"))
        .hasMessageContaining("cannot read");
    assertThatThrownBy(() -> launch("--secret-file", s, "--listen", "relay.example:3478"))
        .hasMessageContaining("not an IP address");
    assertThatThrownBy(() -> launch("--secret-file", s, "--listen", "127.0.0.1:70000"))
        .hasMessageContaining("bad port");
    assertThatThrownBy(
            () -> launch("--secret-file", s, "--listen", "127.0.0.1:1", "--port-range", "9-1"))
        .hasMessageContaining("--port-range");
  }

  @Test
  void portRangesParseAndPickCandidatesInside() {
    assertThat(PortRange.parse("0").isEphemeral()).isTrue();
    assertThat(PortRange.parse("49152-65535")).isEqualTo(PortRange.dynamic());
    PortRange r = PortRange.parse("50001-50003");
    Random random = new Random(1);
    for (int i = 0; i < 100; i++) {
      assertThat(r.candidate(random, false)).isBetween(50001, 50003);
      assertThat(r.candidate(random, true)).isEqualTo(50002);
    }
    assertThat(PortRange.ephemeral().candidate(random, true)).isZero();
    assertThatThrownBy(() -> PortRange.parse("a-b")).isInstanceOf(IllegalArgumentException.class);
  }
}
