package dev.gatehouse.e2e.kind;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kind e2e's client Job script ({@code e2e/kind/client-fetch.sh}) without a cluster: stub
 * {@code gatehouse-client}, {@code getent}, {@code ip} and {@code curl} on the PATH play the
 * client, DNS, the routing table and the web server, so that what the script checks and what it
 * says on failure are tested here rather than first in CI with Docker.
 */
class KindClientJobScriptTest {
  private static final Path SCRIPT =
      Path.of("..", "e2e", "kind", "client-fetch.sh").toAbsolutePath().normalize();
  private static final String MESSAGE = "gatehouse-kind-e2e-through-the-tunnel";

  @TempDir Path dir;
  private Path bin;
  private Path status;

  @BeforeEach
  void stubs() throws IOException {
    bin = Files.createDirectories(dir.resolve("bin"));
    status = dir.resolve("status");
    stub("getent", "echo '10.96.7.8       web.gatehouse-demo.svc.cluster.local'");
    stub(
        "ip",
        """
        if [[ "$1 $2" == "route get" ]]; then
          echo "$3 dev gatehouse0 src 100.64.0.2 uid 0"; echo "    cache"
        else
          echo "default via 10.244.1.1 dev eth0"
        fi""");
    stub("curl", "url=\"${*: -1}\"; printf '%s' \"${url#*msg=}\"");
  }

  @Test
  void passesWhenTheResourceIsRoutedThePageComesBackAndTheFlowIsActive() throws Exception {
    client(
        """
        printf 'resource: 7e57 ip 10.96.7.8/32\\nflow: 7e57 active via gw-1\\n' > "$STATUS_FILE"
        trap 'echo "client: signal received"; exit 0' TERM
        while true; do sleep 0.1; done""");

    Result result = run();

    assertThat(result.exitCode()).as(result.output()).isZero();
    assertThat(result.output())
        .contains("resource 7e57 (10.96.7.8) is routed through gatehouse0")
        .contains("PASS: fetched '" + MESSAGE + "'")
        .contains("7e57 active via gw-1")
        .contains("client: signal received");
  }

  @Test
  void failsWithTheClientsExitCodeWhenItStopsBeforeTheRouteAppears() throws Exception {
    client("echo 'client: the API refused the token' >&2; exit 3");

    Result result = run();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output())
        .contains("client: the API refused the token")
        .contains("FAIL: the client exited with 3 before it had a route to 10.96.7.8");
  }

  @Test
  void failsWhenTheBodyIsNotTheEcho() throws Exception {
    client(
        """
        printf 'resource: 7e57 ip 10.96.7.8/32\\n' > "$STATUS_FILE"
        while true; do sleep 0.1; done""");
    stub("curl", "printf 'NOW: 2026-11-28'");

    Result result = run();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output()).contains("answered 'NOW: 2026-11-28', expected '" + MESSAGE + "'");
  }

  @Test
  void failsWhenThePageComesBackButNoFlowIsActive() throws Exception {
    client(
        """
        printf 'resource: 7e57 ip 10.96.7.8/32\\nflow: 7e57 pending (1 held)\\n' > "$STATUS_FILE"
        while true; do sleep 0.1; done""");

    Result result = run();

    assertThat(result.exitCode()).isEqualTo(1);
    assertThat(result.output())
        .contains("FAIL: fetched the page, but the flow is not active: 'flow: 7e57 pending");
  }

  private void client(String body) throws IOException {
    // The real client takes --status-file; the stub writes where the script reads.
    stub("gatehouse-client", "STATUS_FILE='" + status + "'\n" + body);
  }

  private void stub(String name, String body) throws IOException {
    Path file = bin.resolve(name);
    Files.writeString(file, "#!/usr/bin/env bash\n" + body + "\n", StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  private record Result(int exitCode, String output) {}

  private Result run() throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(List.of("bash", SCRIPT.toString())).redirectErrorStream(true);
    builder
        .environment()
        .putAll(
            Map.of(
                "PATH",
                bin + ":" + System.getenv("PATH"),
                "WEB_HOST",
                "web.gatehouse-demo.svc.cluster.local",
                "CLIENT_STATUS_FILE",
                status.toString()));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as(output).isTrue();
    return new Result(process.exitValue(), output);
  }
}
