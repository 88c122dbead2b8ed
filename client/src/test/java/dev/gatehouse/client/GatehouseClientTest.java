package dev.gatehouse.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.tunnel.net.UdpSocketKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Usage errors end with exit code 2 and say what to fix, before any TUN device is opened. */
class GatehouseClientTest {

  @TempDir Path dir;
  final StringWriter err = new StringWriter();

  int run(Map<String, String> env, String... args) {
    CommandLine cl = GatehouseClient.commandLine(env);
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter(), true));
    return cl.execute(args);
  }

  @Test
  void apiIsRequiredAndMustBeAWebSocketUrl() {
    assertThat(run(Map.of("GATEHOUSE_TOKEN", "t"))).isEqualTo(2);
    assertThat(err.toString()).contains("--api");
    assertThat(run(Map.of("GATEHOUSE_TOKEN", "t"), "--api", "http://api:8080")).isEqualTo(2);
    assertThat(err.toString()).contains("ws:// or wss://");
    assertThat(run(Map.of("GATEHOUSE_TOKEN", "t"), "--api", "ws://user:pw@api:8080")).isEqualTo(2);
    assertThat(err.toString()).contains("must not carry credentials").doesNotContain("pw@");
  }

  @Test
  void tokenComesFromExactlyOnePlace() throws Exception {
    assertThat(run(Map.of(), "--api", "ws://api:8080/client")).isEqualTo(2);
    assertThat(err.toString()).contains("token is required");
    Path file = Files.writeString(dir.resolve("token"), "abc\n");
    assertThat(
            run(Map.of(), "--api", "ws://api/c", "--token", "x", "--token-file", file.toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("give the token once");
    assertThat(run(Map.of(), "--api", "ws://api/c", "--token-file", dir.resolve("nope").toString()))
        .isEqualTo(2);
    assertThat(err.toString()).contains("cannot read --token-file");
    assertThat(run(Map.of("GATEHOUSE_TOKEN", "a b"), "--api", "ws://api/c")).isEqualTo(2);
    assertThat(err.toString()).contains("whitespace").doesNotContain("a b");
  }

  @Test
  void otherSettingsAreChecked() {
    Map<String, String> env = Map.of("GATEHOUSE_TOKEN", "t");
    assertThat(run(env, "--api", "ws://api/c", "--give-up-after", "soon")).isEqualTo(2);
    assertThat(run(env, "--api", "ws://api/c", "--mtu", "100")).isEqualTo(2);
    assertThat(run(env, "--api", "ws://api/c", "--mtu", "abc")).isEqualTo(2);
    assertThat(run(env, "--unknown")).isEqualTo(2);
    assertThat(run(env, "--api", "ws://api/c", "--udp-socket", "io_uring")).isEqualTo(2);
    assertThat(err.toString()).contains("--udp-socket must be linux or netty, got 'io_uring'");
  }

  @Test
  void theUdpSocketDefaultsToTheFfmOne() {
    GatehouseClient client = new GatehouseClient(Map.of("GATEHOUSE_TOKEN", "t"));
    new CommandLine(client).parseArgs("--api", "ws://api/c", "--dns-upstream", "none");
    assertThat(client.settings().udpSocket()).isEqualTo(UdpSocketKind.LINUX);
    new CommandLine(client)
        .parseArgs("--api", "ws://api/c", "--dns-upstream", "none", "--udp-socket", "netty");
    assertThat(client.settings().udpSocket()).isEqualTo(UdpSocketKind.NETTY);
  }

  @Test
  void deadPeerAfterIsAtLeastOneSecond() {
    Map<String, String> env = Map.of("GATEHOUSE_TOKEN", "t");
    assertThat(run(env, "--api", "ws://api/c", "--dead-peer-after", "0")).isEqualTo(2);
    assertThat(err.toString()).contains("--dead-peer-after must be at least 1 (seconds), got 0");
    assertThat(run(env, "--api", "ws://api/c", "--dead-peer-after", "-3")).isEqualTo(2);
    assertThat(run(env, "--api", "ws://api/c", "--dead-peer-after", "soon")).isEqualTo(2);
    assertThat(err.toString()).contains("--dead-peer-after").contains("soon");
  }

  @Test
  void aCaFileIsCheckedUpFrontFromTheFlagOrTheEnvironment() throws Exception {
    Map<String, String> env = Map.of("GATEHOUSE_TOKEN", "t");
    Path missing = dir.resolve("ca.crt");
    assertThat(run(env, "--api", "wss://api/c", "--ca-file", missing.toString())).isEqualTo(2);
    assertThat(err.toString()).contains("--ca-file: CA file " + missing + " does not exist");
    Path notPem = Files.writeString(dir.resolve("bad.crt"), "hello");
    assertThat(
            run(
                Map.of("GATEHOUSE_TOKEN", "t", "GATEHOUSE_CA_FILE", notPem.toString()),
                "--api",
                "wss://api/c"))
        .isEqualTo(2);
    assertThat(err.toString()).contains("CA file " + notPem + " holds no PEM certificate");

    Path bundle =
        Files.writeString(
            dir.resolve("good.crt"), dev.gatehouse.client.control.TrustedCaTest.jdkCaBundle());
    GatehouseClient client = new GatehouseClient(Map.of("GATEHOUSE_CA_FILE", bundle.toString()));
    new CommandLine(client).parseArgs("--api", "wss://api/c", "--token", "t");
    assertThat(client.settings().caFile()).isEqualTo(bundle);
  }

  @Test
  void helpDocumentsTheExitCodes() {
    StringWriter out = new StringWriter();
    CommandLine cl = GatehouseClient.commandLine(Map.of());
    cl.setOut(new PrintWriter(out, true));
    assertThat(cl.execute("--help")).isZero();
    assertThat(out.toString())
        .contains("Exit codes:")
        .contains("the API refused the token")
        .contains("--token-file")
        .contains("--dead-peer-after")
        .contains("--ca-file")
        .contains("7:the API's TLS certificate is not trusted".substring(2))
        .contains("default 15");
  }

  @Test
  void statusPrintsTheStatusFileOrSaysTheClientIsNotRunning() throws Exception {
    assertThat(run(Map.of(), "status", "--status-file", dir.resolve("none").toString()))
        .isEqualTo(1);
    Path status = Files.writeString(dir.resolve("status"), "control_channel: connected\n");
    assertThat(run(Map.of(), "status", "--status-file", status.toString())).isZero();
  }
}
