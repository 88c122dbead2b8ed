package dev.gatehouse.relay.server;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.relay.turn.TurnConfig;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** The {@code gatehouse-relay} command: flags → {@link RelayServer} and {@link MetricsEndpoint}. */
@Command(
    name = "gatehouse-relay",
    mixinStandardHelpOptions = true,
    description =
        "A STUN/TURN relay (RFC 8489, RFC 8656) over UDP with Firezone-style credentials.")
public final class Main implements Callable<Integer> {

  @Spec CommandLine.Model.CommandSpec spec;

  @Option(
      names = "--listen",
      defaultValue = "0.0.0.0:3478",
      description =
          "UDP address for STUN/TURN clients, host:port (port 0 picks one). Default: ${DEFAULT-VALUE}")
  String listen;

  @Option(
      names = "--public-ip",
      description =
          "IP advertised in XOR-RELAYED-ADDRESS. Required when --listen is a wildcard address.")
  String publicIp;

  @Option(
      names = "--secret-file",
      required = true,
      description = "File holding the shared secret credentials are minted with (UTF-8, trimmed).")
  Path secretFile;

  @Option(
      names = "--realm",
      defaultValue = "gatehouse",
      description = "REALM of the long-term credentials. Default: ${DEFAULT-VALUE}")
  String realm;

  @Option(
      names = "--port-range",
      defaultValue = "49152-65535",
      description =
          "Ports for relayed addresses, MIN-MAX, or 0 for kernel-chosen. Default: ${DEFAULT-VALUE}")
  String portRange;

  @Option(
      names = "--metrics-listen",
      defaultValue = "0.0.0.0:9464",
      description = "HTTP address of /metrics and /healthz. Default: ${DEFAULT-VALUE}")
  String metricsListen;

  @Option(
      names = "--allocation-quota",
      defaultValue = "" + TurnConfig.DEFAULT_QUOTA,
      description = "Allocations one username may hold. Default: ${DEFAULT-VALUE}")
  int allocationQuota;

  @Option(
      names = "--rate-limit",
      defaultValue = "" + TurnConfig.DEFAULT_RATE_BYTES_PER_SECOND,
      description =
          "Relayed bytes per second per username, one second of burst; 0 disables. Default: ${DEFAULT-VALUE}")
  long rateLimit;

  @Option(
      names = "--allow-loopback-peers",
      description = "Allow peers on 127.0.0.0/8 and ::1 (for tests on one host).")
  boolean allowLoopbackPeers;

  @Option(
      names = "--legacy-channel-range",
      description =
          "Accept channel numbers up to 0x7FFF (RFC 5766, coturn), not only 0x4000-0x4FFF.")
  boolean legacyChannelRange;

  public static void main(String[] args) {
    System.exit(new CommandLine(new Main()).execute(args));
  }

  /** What the flags amount to. */
  record Launch(
      RelayServer.Settings settings,
      TurnConfig config,
      RelayCredentials credentials,
      InetSocketAddress metricsAddress) {}

  /** Validates the flags and reads the secret file. */
  Launch launch() {
    InetSocketAddress listenAddress = hostPort("--listen", listen);
    InetAddress advertised;
    if (publicIp != null) {
      advertised = address("--public-ip", publicIp);
    } else if (listenAddress.getAddress().isAnyLocalAddress()) {
      throw new ParameterException(
          spec.commandLine(), "--public-ip is required when --listen is a wildcard address");
    } else {
      advertised = listenAddress.getAddress();
    }
    PortRange ports;
    try {
      ports = PortRange.parse(portRange);
    } catch (IllegalArgumentException e) {
      throw new ParameterException(spec.commandLine(), "--port-range: " + e.getMessage());
    }
    String secret;
    try {
      secret = Files.readString(secretFile).strip();
    } catch (IOException e) {
      throw new ParameterException(
          spec.commandLine(), "--secret-file: cannot read " + secretFile + ": " + e);
    }
    if (secret.isEmpty()) {
      throw new ParameterException(
          spec.commandLine(), "--secret-file: " + secretFile + " is empty");
    }
    TurnConfig config =
        TurnConfig.defaults(realm, advertised)
            .withAllocationQuota(allocationQuota)
            .withRateLimit(rateLimit, rateLimit)
            .withAllowLoopbackPeers(allowLoopbackPeers)
            .withLegacyChannelRange(legacyChannelRange);
    return new Launch(
        new RelayServer.Settings(listenAddress, null, ports),
        config,
        new RelayCredentials(secret),
        hostPort("--metrics-listen", metricsListen));
  }

  @Override
  public Integer call() throws Exception {
    Launch rt = launch();
    RelayMetrics metrics = new RelayMetrics();
    RelayServer server = RelayServer.start(rt.settings(), rt.config(), rt.credentials(), metrics);
    MetricsEndpoint endpoint = MetricsEndpoint.start(rt.metricsAddress(), metrics);
    System.out.printf(
        "gatehouse-relay: udp %s, relayed %s:%s, realm %s, metrics http://%s/metrics%n",
        server.listenAddress(),
        rt.config().relayAddress().getHostAddress(),
        portRange,
        rt.config().realm(),
        endpoint.address());
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  endpoint.close();
                  server.close();
                  stopped.countDown();
                }));
    stopped.await();
    return 0;
  }

  /** Parses {@code host:port}, {@code [v6]:port} or {@code :port} (wildcard). */
  InetSocketAddress hostPort(String flag, String text) {
    int colon = text.lastIndexOf(':');
    if (colon < 0) {
      throw new ParameterException(spec.commandLine(), flag + ": expected host:port, got " + text);
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new ParameterException(spec.commandLine(), flag + ": bad port in " + text);
    }
    if (port < 0 || port > 65535) {
      throw new ParameterException(spec.commandLine(), flag + ": bad port in " + text);
    }
    InetAddress address = host.isEmpty() ? wildcard() : address(flag, host);
    return new InetSocketAddress(address, port);
  }

  private InetAddress address(String flag, String literal) {
    try {
      // Literals only: a relay advertises and binds addresses, never names to resolve.
      if (!literal.matches("[0-9a-fA-F:.]+")) {
        throw new UnknownHostException(literal);
      }
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new ParameterException(spec.commandLine(), flag + ": not an IP address: " + literal);
    }
  }

  private static InetAddress wildcard() {
    try {
      return InetAddress.getByAddress(new byte[4]);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
