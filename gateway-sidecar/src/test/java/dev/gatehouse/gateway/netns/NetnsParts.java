package dev.gatehouse.gateway.netns;

import dev.gatehouse.tunnel.netns.NetnsLab;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The processes of a whole flow in network namespaces, started as users start them: a web server as
 * the resource, the fake API node, the Quarkus gateway and the client CLI. Tokens are {@code
 * gw-token} and {@code client-token}; the resource allows TCP port 8080.
 */
final class NetnsParts {
  private NetnsParts() {}

  static String java() {
    return System.getProperty("java.home") + "/bin/java";
  }

  /** {@code jwebserver} on {@code ip:8080} serving {@code page} as {@code /index.html}. */
  static void webServer(NetnsLab lab, String ns, String ip, String page) throws IOException {
    Path www = Files.createDirectories(lab.dir.resolve("www"));
    Files.writeString(www.resolve("index.html"), page);
    lab.start(
        ns,
        lab.dir.resolve("resource.log"),
        System.getProperty("java.home") + "/bin/jwebserver",
        "-b",
        ip,
        "-p",
        "8080",
        "-d",
        www.toString());
  }

  /** The fake API node on {@code bind} (host:port); returns once it listens. */
  static Process fakeApi(
      NetnsLab lab,
      String ns,
      Path log,
      Map<String, String> env,
      String bind,
      UUID gateway,
      UUID client,
      UUID resource,
      String resourceAddress,
      String... extraFilters)
      throws IOException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java(),
                "-cp",
                System.getProperty("java.class.path"),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager",
                "dev.gatehouse.gateway.fake.FakeApiNodeMain",
                bind,
                "gw-token",
                gateway.toString(),
                "client-token",
                client.toString(),
                resource.toString(),
                resourceAddress,
                "tcp:8080"));
    cmd.addAll(List.of(extraFilters));
    Process api = lab.start(ns, log, env, cmd.toArray(String[]::new));
    GatewayClientNetnsIT.awaitLog(log, "LISTENING", 30);
    return api;
  }

  /** Where the gateway reads further addresses to advertise ({@code GATEHOUSE_ENDPOINTS_FILE}). */
  static Path endpointsFile(NetnsLab lab) {
    return lab.dir.resolve("gateway.endpoints");
  }

  /**
   * The gateway (Quarkus fast-jar from {@code target/}) dialing {@code ws://api}; it advertises
   * what {@link #endpointsFile} says, once it exists.
   */
  static Process gateway(
      NetnsLab lab, String ns, Path log, String api, UUID gateway, String endpoint)
      throws IOException {
    Path quarkusRun = Path.of("target/quarkus-app/quarkus-run.jar").toAbsolutePath();
    if (!Files.exists(quarkusRun)) {
      throw new AssertionError(
          quarkusRun + " is missing: run through Maven verify (the Quarkus build runs in package)");
    }
    return lab.start(
        ns,
        log,
        Map.of(
            "GATEHOUSE_API_URL",
            "ws://" + api,
            "GATEHOUSE_TOKEN",
            "gw-token",
            "GATEHOUSE_GATEWAY_ID",
            gateway.toString(),
            "GATEHOUSE_SITE",
            "netns",
            "GATEHOUSE_ENDPOINT",
            endpoint,
            "GATEHOUSE_ENDPOINTS_FILE",
            endpointsFile(lab).toString(),
            "GATEHOUSE_LOG_FORMAT",
            "text"),
        java(),
        "--enable-native-access=ALL-UNNAMED",
        "-jar",
        quarkusRun.toString());
  }

  /** The client CLI on interface {@code gh0} dialing {@code ws://api/}, status to a file. */
  static Process client(NetnsLab lab, String ns, Path log, String api, Path statusFile)
      throws IOException {
    Path tokenFile = lab.dir.resolve("client.token");
    Files.writeString(tokenFile, "client-token\n");
    List<String> cmd =
        new ArrayList<>(
            List.of(
                java(),
                "-jar",
                GatewayClientNetnsIT.clientJar().toString(),
                "--api",
                "ws://" + api + "/",
                "--token-file",
                tokenFile.toString(),
                "--interface",
                "gh0",
                "--status-file",
                statusFile.toString()));
    return lab.start(ns, log, cmd.toArray(String[]::new));
  }
}
