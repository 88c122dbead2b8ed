package dev.gatehouse.client;

import dev.gatehouse.client.control.Backoff;
import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.control.TrustedCa;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.tunnel.ClientRuntime;
import dev.gatehouse.client.tunnel.HealthEndpoint;
import dev.gatehouse.client.tunnel.LinuxInterface;
import dev.gatehouse.client.tunnel.UdpUpstreamResolver;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.UdpSocketKind;
import dev.gatehouse.tunnel.tun.LinuxTunDevice;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code gatehouse-client}: signs in to an API node, brings up a TUN interface with routes for the
 * resources it may reach, and creates flows through gateways on first use.
 *
 * <p>Exit codes: {@value #EXIT_OK} clean exit on SIGTERM/SIGINT, {@value #EXIT_USAGE} bad usage or
 * configuration (also when the API rejects the join with 400/404: wrong URL path), {@value
 * #EXIT_AUTH} token refused by the API, {@value #EXIT_UNREACHABLE} API unreachable for longer than
 * {@code --give-up-after}, {@value #EXIT_DISCONNECTED} the API ended the session ({@code
 * disconnect} without reconnect), {@value #EXIT_TUNNEL} the TUN interface or UDP socket could not
 * be set up (root or CAP_NET_ADMIN and /dev/net/tun needed), {@value #EXIT_UNTRUSTED} the API's TLS
 * certificate is not trusted (or does not name the URL's host), 1 anything else.
 */
@Command(
    name = "gatehouse-client",
    mixinStandardHelpOptions = true,
    version = "gatehouse-client 0.1.0",
    description = "Headless Gatehouse client: reach the resources your policies allow.",
    subcommands = {GatehouseClient.StatusCommand.class},
    exitCodeListHeading = "%nExit codes:%n",
    exitCodeList = {
      "0:clean exit on SIGTERM/SIGINT",
      "1:unexpected error",
      "2:bad usage or configuration (or the API rejected the join: HTTP 400/404)",
      "3:the API refused the token",
      "4:the API stayed unreachable longer than --give-up-after",
      "5:the API ended the session (disconnect without reconnect)",
      "6:cannot set up the TUN interface or UDP socket (needs CAP_NET_ADMIN)",
      "7:the API's TLS certificate is not trusted (see --ca-file) or does not name its host"
    })
public final class GatehouseClient implements Callable<Integer> {

  public static final int EXIT_OK = 0;
  public static final int EXIT_USAGE = 2;
  public static final int EXIT_AUTH = 3;
  public static final int EXIT_UNREACHABLE = 4;
  public static final int EXIT_DISCONNECTED = 5;
  public static final int EXIT_TUNNEL = 6;
  public static final int EXIT_UNTRUSTED = 7;

  static final String DEFAULT_STATUS_FILE = "/run/gatehouse-client/status";

  @Option(
      names = "--api",
      description = "API node URL, ws:// or wss:// (env GATEHOUSE_API_URL)",
      defaultValue = "${env:GATEHOUSE_API_URL}")
  String api;

  @Option(
      names = "--token",
      description = "client token (prefer --token-file or env GATEHOUSE_TOKEN: argv is visible)")
  String token;

  @Option(names = "--token-file", description = "file holding the token (trailing newline ok)")
  Path tokenFile;

  @Option(
      names = "--ca-file",
      description =
          "PEM bundle of the CA(s) to trust for a wss:// API instead of the system's (private CA,"
              + " cert-manager's ca.crt); env GATEHOUSE_CA_FILE. The certificate must still name"
              + " the URL's host")
  Path caFile;

  @Option(
      names = "--interface",
      description = "TUN interface name (default ${DEFAULT-VALUE})",
      defaultValue = "gatehouse0")
  String ifName;

  @Option(
      names = "--mtu",
      description = "TUN MTU (default ${DEFAULT-VALUE})",
      defaultValue = "1280")
  int mtu;

  @Option(
      names = "--listen-port",
      description = "local WireGuard UDP port, 0 = any (default ${DEFAULT-VALUE})",
      defaultValue = "0")
  int listenPort;

  @Option(
      names = "--udp-socket",
      description =
          "linux: the kernel's UDP socket through FFM, GRO/GSO, nothing allocated per datagram;"
              + " netty: Netty's epoll socket, the fallback (default ${DEFAULT-VALUE})",
      defaultValue = "linux")
  String udpSocket;

  @Option(
      names = "--give-up-after",
      description =
          "exit 4 after this long without an API connection, ISO-8601 or seconds; 0 = never"
              + " (default ${DEFAULT-VALUE})",
      defaultValue = "PT15M")
  String giveUpAfter;

  @Option(
      names = "--status-file",
      description = "status snapshot, rewritten every second (default ${DEFAULT-VALUE})",
      defaultValue = DEFAULT_STATUS_FILE)
  Path statusFile;

  @Option(
      names = "--health-port",
      description =
          "serve GET /readyz (200 once connected and initialized, else 503) and /livez on this TCP"
              + " port, for a kubelet's probes; 0 = off (default)",
      defaultValue = "0")
  int healthPort;

  @Option(
      names = "--handshake-timeout",
      description = "fail over when a gateway handshake takes longer, seconds (default 12)",
      defaultValue = "12")
  int handshakeTimeoutSeconds;

  @Option(
      names = "--dead-peer-after",
      description =
          "fail over when a gateway answers nothing for this long after data was sent to it,"
              + " seconds, at least 1 (default ${DEFAULT-VALUE}: WireGuard's keepalive + rekey"
              + " timeout, a live gateway answers within 10 s)",
      defaultValue = "15")
  int deadPeerAfterSeconds;

  @Option(
      names = "--ignore-revocations",
      description =
          "for testing gateways only: keep routing and sending to a resource after access to it"
              + " is revoked, as a misbehaving client would; the gateway must drop the traffic")
  boolean ignoreRevocations;

  @Option(
      names = "--dns-upstream",
      description =
          "resolver for names that are not resources, host:port, or 'none' to refuse them"
              + " (default: the first nameserver of /etc/resolv.conf at start)")
  String dnsUpstream;

  @Option(
      names = "--id",
      description =
          "this device's stable id, sent as external_id (env GATEHOUSE_CLIENT_ID; default derived"
              + " from /etc/machine-id)",
      defaultValue = "${env:GATEHOUSE_CLIENT_ID}")
  String deviceId;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  private final Map<String, String> env;

  public GatehouseClient() {
    this(System.getenv());
  }

  GatehouseClient(Map<String, String> env) {
    this.env = env;
  }

  /** Set before {@code System.exit}, so the shutdown hook knows it was not a signal. */
  private static volatile boolean exiting;

  public static void main(String[] args) {
    int code = commandLine().execute(args);
    exiting = true;
    System.exit(code);
  }

  static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /** The command line with exit code {@value #EXIT_USAGE} for every usage error. */
  static CommandLine commandLine(Map<String, String> env) {
    return new CommandLine(new GatehouseClient(env))
        .setParameterExceptionHandler(
            (ex, args) -> {
              ex.getCommandLine().getErr().println(ex.getMessage());
              ex.getCommandLine().usage(ex.getCommandLine().getErr());
              return EXIT_USAGE;
            });
  }

  /** The validated settings, or a usage error naming the problem. */
  /**
   * @param dnsUpstream null: refuse names that are not resources
   * @param caFile PEM bundle to trust for wss:// instead of the JDK's; null: the JDK's
   * @param udpSocket which UDP socket the tunnel runs on
   */
  record Settings(
      URI api,
      String token,
      Duration giveUpAfter,
      InetSocketAddress dnsUpstream,
      Path caFile,
      UdpSocketKind udpSocket) {}

  Settings settings() {
    if (api == null || api.isBlank()) {
      throw usage("--api (or GATEHOUSE_API_URL) is required: the API node's ws:// or wss:// URL");
    }
    URI uri;
    try {
      uri = URI.create(api.strip());
    } catch (IllegalArgumentException e) {
      throw usage("--api is not a valid URL: " + e.getMessage());
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss") || uri.getHost() == null) {
      throw usage("--api must be a ws:// or wss:// URL with a host, got '" + api + "'");
    }
    if (uri.getRawUserInfo() != null) {
      throw usage("--api must not carry credentials; use --token-file or GATEHOUSE_TOKEN");
    }
    String t = token;
    int sources = (token != null ? 1 : 0) + (tokenFile != null ? 1 : 0);
    if (sources > 1) {
      throw usage("give the token once: --token or --token-file");
    }
    if (tokenFile != null) {
      try {
        t = Files.readString(tokenFile, StandardCharsets.UTF_8).strip();
      } catch (IOException e) {
        throw usage("cannot read --token-file " + tokenFile + ": " + e.getMessage());
      }
    }
    if (t == null) {
      t = env.get("GATEHOUSE_TOKEN");
    }
    if (t == null || t.isBlank()) {
      throw usage("a token is required: --token-file FILE, env GATEHOUSE_TOKEN, or --token");
    }
    if (t.chars().anyMatch(Character::isWhitespace)) {
      throw usage("the token contains whitespace (value not shown)");
    }
    Duration give;
    try {
      give =
          giveUpAfter.matches("\\d+")
              ? Duration.ofSeconds(Long.parseLong(giveUpAfter))
              : Duration.parse(giveUpAfter);
    } catch (RuntimeException e) {
      throw usage("--give-up-after must be seconds or ISO-8601 like PT15M, got " + giveUpAfter);
    }
    if (mtu < 576 || mtu > 9000) {
      throw usage("--mtu must be 576..9000");
    }
    if (handshakeTimeoutSeconds < 1) {
      throw usage("--handshake-timeout must be at least 1");
    }
    if (healthPort < 0 || healthPort > 65535) {
      throw usage("--health-port must be 0..65535, got " + healthPort);
    }
    if (deadPeerAfterSeconds < 1) {
      throw usage("--dead-peer-after must be at least 1 (seconds), got " + deadPeerAfterSeconds);
    }
    Path ca = caFile;
    String caEnv = env.get("GATEHOUSE_CA_FILE");
    if (ca == null && caEnv != null && !caEnv.isBlank()) {
      ca = Path.of(caEnv.strip());
    }
    if (ca != null) {
      try {
        TrustedCa.certificates(ca);
      } catch (IllegalArgumentException e) {
        throw usage("--ca-file: " + e.getMessage());
      }
    }
    UdpSocketKind socket =
        UdpSocketKind.parse(udpSocket)
            .orElseThrow(
                () ->
                    usage(
                        "--udp-socket must be "
                            + UdpSocketKind.choices()
                            + ", got '"
                            + udpSocket
                            + "'"));
    return new Settings(uri, t, give, dnsUpstream(), ca, socket);
  }

  /** {@code --dns-upstream}, else the first nameserver of /etc/resolv.conf, else none. */
  InetSocketAddress dnsUpstream() {
    if (dnsUpstream == null || dnsUpstream.isBlank()) {
      return UdpUpstreamResolver.fromResolvConf(Path.of("/etc/resolv.conf"));
    }
    if (dnsUpstream.strip().equalsIgnoreCase("none")) {
      return null;
    }
    try {
      InetSocketAddress a = ClientRuntime.endpoint(dnsUpstream.strip());
      if (a.isUnresolved()) {
        throw usage("--dns-upstream host " + a.getHostString() + " does not resolve");
      }
      return a;
    } catch (IllegalArgumentException e) {
      throw usage("--dns-upstream must be host:port or 'none', got '" + dnsUpstream + "'");
    }
  }

  private CommandLine.ParameterException usage(String message) {
    return new CommandLine.ParameterException(spec.commandLine(), message);
  }

  @Override
  public Integer call() {
    Settings s = settings();
    ClientAgent.Settings agentSettings =
        new ClientAgent.Settings(
            64,
            Duration.ofSeconds(15),
            Duration.ofSeconds(handshakeTimeoutSeconds),
            Duration.ofSeconds(5),
            ClientAgent.Settings.defaults().staleAfter(),
            Duration.ofSeconds(deadPeerAfterSeconds),
            ignoreRevocations);
    ControlChannel.Options channel =
        new ControlChannel.Options(
                s.api(),
                s.token(),
                Map.of("external_id", deviceId(), "name", hostName()),
                Backoff.defaults(),
                null,
                s.giveUpAfter())
            .withCaFile(s.caFile());
    ClientRuntime runtime;
    try {
      LinuxTunDevice tun = LinuxTunDevice.open(ifName, mtu);
      DatagramTransport udp = s.udpSocket().bind(new InetSocketAddress(listenPort));
      runtime =
          new ClientRuntime(
                  new ClientRuntime.Options(
                      channel,
                      agentSettings,
                      mtu,
                      Duration.ofSeconds(25),
                      statusFile,
                      s.dnsUpstream() == null
                          ? null
                          : new UdpUpstreamResolver(s.dnsUpstream(), 2_000)),
                  StaticIdentity.generate(),
                  tun,
                  udp,
                  new LinuxInterface(),
                  GatehouseClient::log)
              .start();
    } catch (IOException | RuntimeException e) {
      log("cannot set up interface " + ifName + ": " + e.getMessage());
      return EXIT_TUNNEL;
    }
    if (healthPort > 0) {
      try {
        HealthEndpoint.start(healthPort, runtime::notReadyReason);
      } catch (IOException e) {
        log("cannot serve --health-port " + healthPort + ": " + e.getMessage());
        runtime.close();
        return EXIT_TUNNEL;
      }
    }
    log(
        "started: interface "
            + ifName
            + ", public key "
            + StaticIdentity.encodeKey(runtime.identity().publicKey())
            + ", API "
            + s.api());
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (exiting) {
                    return; // System.exit with the code call() chose
                  }
                  log("signal received, shutting down");
                  runtime.close();
                  Runtime.getRuntime().halt(EXIT_OK);
                }));
    ControlChannel.End end = runtime.ended().join();
    exiting = true;
    runtime.close();
    return switch (end) {
      case AUTH_REFUSED -> EXIT_AUTH;
      case UNTRUSTED -> EXIT_UNTRUSTED;
      case REJECTED -> EXIT_USAGE;
      case UNREACHABLE -> EXIT_UNREACHABLE;
      case DISCONNECTED -> EXIT_DISCONNECTED;
      case CLOSED -> EXIT_OK;
    };
  }

  /** {@code --id}, else a UUID derived from /etc/machine-id, else a random one (logged). */
  String deviceId() {
    if (deviceId != null && !deviceId.isBlank()) {
      return deviceId.strip();
    }
    try {
      String machine = Files.readString(Path.of("/etc/machine-id")).strip();
      if (!machine.isEmpty()) {
        return java.util
            .UUID
            .nameUUIDFromBytes(("gatehouse-client:" + machine).getBytes(StandardCharsets.UTF_8))
            .toString();
      }
    } catch (IOException e) {
      // fall through
    }
    String random = java.util.UUID.randomUUID().toString();
    log("no --id and no /etc/machine-id: using " + random + " for this run");
    return random;
  }

  static String hostName() {
    try {
      return java.net.InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "gatehouse-client";
    }
  }

  static void log(String line) {
    System.err.println(Instant.now() + " " + line);
  }

  /** {@code gatehouse-client status}: prints the running client's status file. */
  @Command(name = "status", description = "Print the running client's status and exit.")
  static final class StatusCommand implements Callable<Integer> {
    @Option(
        names = "--status-file",
        description = "status file of the running client (default ${DEFAULT-VALUE})",
        defaultValue = DEFAULT_STATUS_FILE)
    Path statusFile;

    @Override
    public Integer call() {
      try {
        System.out.print(Files.readString(statusFile, StandardCharsets.UTF_8));
        return EXIT_OK;
      } catch (IOException e) {
        System.err.println("no status at " + statusFile + " (is the client running?)");
        return 1;
      }
    }
  }
}
