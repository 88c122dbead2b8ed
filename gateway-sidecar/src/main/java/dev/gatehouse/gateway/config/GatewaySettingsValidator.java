package dev.gatehouse.gateway.config;

import dev.gatehouse.client.control.TrustedCa;
import dev.gatehouse.tunnel.net.UdpSocketKind;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * Checks the gateway's variables, as the operator sets them on the pod, and turns them into {@link
 * GatewaySettings}. A map in, a {@link Result} out; the only I/O is reading the CA file that
 * {@value #API_CA_FILE} names, so that a bad one is reported at start with the rest. Every problem
 * names its variable, and all problems are reported at once so one restart fixes them all. The
 * token's value never appears in a message.
 */
public final class GatewaySettingsValidator {

  public static final String API_URL = "GATEHOUSE_API_URL";
  public static final String TOKEN = "GATEHOUSE_TOKEN";
  public static final String GATEWAY_ID = "GATEHOUSE_GATEWAY_ID";
  public static final String SITE = "GATEHOUSE_SITE";
  public static final String MODE = "GATEHOUSE_MODE";
  public static final String LISTEN_PORT = "GATEHOUSE_LISTEN_PORT";
  public static final String LOG_FORMAT = "GATEHOUSE_LOG_FORMAT";
  public static final String INTERFACE = "GATEHOUSE_INTERFACE";
  public static final String MTU = "GATEHOUSE_MTU";
  public static final String ENDPOINT = "GATEHOUSE_ENDPOINT";
  public static final String API_CA_FILE = "GATEHOUSE_API_CA_FILE";
  public static final String ENDPOINTS_FILE = "GATEHOUSE_ENDPOINTS_FILE";
  public static final String NODE_IP = "GATEHOUSE_NODE_IP";
  public static final String UDP_SOCKET = "GATEHOUSE_UDP_SOCKET";

  /** Every variable this validator reads, in the order problems are reported. */
  public static final List<String> VARIABLES =
      List.of(
          API_URL,
          TOKEN,
          GATEWAY_ID,
          SITE,
          MODE,
          LISTEN_PORT,
          LOG_FORMAT,
          INTERFACE,
          MTU,
          ENDPOINT,
          API_CA_FILE,
          ENDPOINTS_FILE,
          NODE_IP,
          UDP_SOCKET);

  public static final String DEFAULT_INTERFACE = "gatehouse0";

  /** Safe for a WireGuard path inside most overlay networks. */
  public static final int DEFAULT_MTU = 1280;

  private static final Pattern IFNAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");
  private static final Pattern HOST_PORT =
      Pattern.compile("(\\[[0-9A-Fa-f:.]+\\]|[^\\s:\\[\\]/]+):(\\d{1,5})");

  public static final GatewayMode DEFAULT_MODE = GatewayMode.KERNEL;

  /** WireGuard's customary port. */
  public static final int DEFAULT_LISTEN_PORT = 51820;

  public static final LogFormat DEFAULT_LOG_FORMAT = LogFormat.JSON;

  public static final UdpSocketKind DEFAULT_UDP_SOCKET = UdpSocketKind.LINUX;

  /** A Kubernetes UID: a UUID in its canonical 8-4-4-4-12 form. */
  private static final Pattern UID =
      Pattern.compile(
          "\\p{XDigit}{8}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{4}-\\p{XDigit}{12}");

  private GatewaySettingsValidator() {}

  /** The outcome: settings, or every problem found. */
  public sealed interface Result {
    /** The settings, or an exception whose message lists every problem. */
    GatewaySettings orThrow();
  }

  public record Valid(GatewaySettings settings) implements Result {
    @Override
    public GatewaySettings orThrow() {
      return settings;
    }
  }

  /** One line per problem, each starting with the variable's name. */
  public record Invalid(List<String> problems) implements Result {
    public Invalid {
      problems = List.copyOf(problems);
    }

    public String message() {
      return "Invalid gateway configuration (environment variables set by the Gatehouse operator"
          + " on the gateway pod):\n  - "
          + String.join("\n  - ", problems);
    }

    @Override
    public GatewaySettings orThrow() {
      throw new GatewayConfigException(message(), problems);
    }
  }

  /**
   * Validates {@code env}, a map from variable name to value. Missing and blank values count as
   * unset; values other than the token are stripped of surrounding blanks.
   */
  public static Result validate(Map<String, String> env) {
    List<String> problems = new ArrayList<>();
    URI apiUrl = apiUrl(value(env, API_URL), problems);
    GatewayToken token = token(env.get(TOKEN), problems);
    UUID gatewayId = gatewayId(value(env, GATEWAY_ID), problems);
    String site = value(env, SITE).orElse(null);
    if (site == null) {
      problems.add(SITE + " is required: the name of the site this gateway serves");
    }
    GatewayMode mode = mode(value(env, MODE), problems);
    int listenPort = listenPort(value(env, LISTEN_PORT), problems);
    LogFormat logFormat = logFormat(value(env, LOG_FORMAT), problems);
    String ifName = value(env, INTERFACE).orElse(DEFAULT_INTERFACE);
    if (!IFNAME.matcher(ifName).matches()) {
      problems.add(
          INTERFACE
              + " must be 1-15 letters, digits, '_', '.' or '-' (default "
              + DEFAULT_INTERFACE
              + "), got '"
              + ifName
              + "'");
    }
    int mtu = mtu(value(env, MTU), problems);
    String endpoint = value(env, ENDPOINT).orElse(null);
    if (endpoint != null) {
      var m = HOST_PORT.matcher(endpoint);
      if (!m.matches()
          || Integer.parseInt(m.group(2)) < 1
          || Integer.parseInt(m.group(2)) > 65535) {
        problems.add(
            ENDPOINT
                + " must be host:port or [ipv6]:port, where clients reach the WireGuard port, got '"
                + endpoint
                + "'");
      }
    }
    Path caFile = caFile(value(env, API_CA_FILE), problems);
    // It may appear later (a ConfigMap the operator fills once the Service has addresses).
    Path endpointsFile = value(env, ENDPOINTS_FILE).map(Path::of).orElse(null);
    String nodeIp = value(env, NODE_IP).orElse(null);
    if (nodeIp != null) {
      try {
        java.net.InetAddress.ofLiteral(nodeIp);
      } catch (IllegalArgumentException e) {
        problems.add(
            NODE_IP + " must be an IP address (the pod's status.hostIP), got '" + nodeIp + "'");
      }
    }
    UdpSocketKind udpSocket = udpSocket(value(env, UDP_SOCKET), problems);
    if (!problems.isEmpty()) {
      return new Invalid(problems);
    }
    return new Valid(
        new GatewaySettings(
            apiUrl,
            token,
            gatewayId,
            site,
            mode,
            listenPort,
            logFormat,
            ifName,
            mtu,
            endpoint,
            caFile,
            endpointsFile,
            nodeIp,
            udpSocket));
  }

  private static URI apiUrl(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      problems.add(API_URL + " is required: the control plane's ws:// or wss:// URL");
      return null;
    }
    String text = value.get();
    URI uri;
    try {
      uri = new URI(text);
    } catch (URISyntaxException e) {
      problems.add(API_URL + " is not a valid URL (" + e.getReason() + "), got '" + text + "'");
      return null;
    }
    if (uri.getRawUserInfo() != null) {
      // Don't echo it: the user info may be a credential.
      problems.add(API_URL + " must not carry credentials; the token goes in " + TOKEN);
      return null;
    }
    String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("ws") && !scheme.equals("wss")) {
      problems.add(API_URL + " must be a ws:// or wss:// URL, got '" + text + "'");
      return null;
    }
    if (uri.getHost() == null) {
      problems.add(API_URL + " must name a host, got '" + text + "'");
      return null;
    }
    return uri;
  }

  private static Path caFile(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return null;
    }
    Path file;
    try {
      file = Path.of(value.get());
    } catch (InvalidPathException e) {
      problems.add(API_CA_FILE + " is not a file path, got '" + value.get() + "'");
      return null;
    }
    try {
      TrustedCa.certificates(file);
    } catch (IllegalArgumentException e) {
      problems.add(
          API_CA_FILE
              + " must name a PEM file of the CA(s) that signed the API's certificate (mounted"
              + " into the pod): "
              + e.getMessage());
      return null;
    }
    return file;
  }

  private static GatewayToken token(String value, List<String> problems) {
    if (value == null || value.isBlank()) {
      problems.add(TOKEN + " is required: the gateway token from the Gateway's Secret");
      return null;
    }
    if (value.chars().anyMatch(Character::isWhitespace)) {
      problems.add(
          TOKEN
              + " contains whitespace (a trailing newline in the Secret?); value not shown, "
              + value.length()
              + " characters");
      return null;
    }
    return new GatewayToken(value);
  }

  private static UUID gatewayId(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      problems.add(
          GATEWAY_ID
              + " is required: the pod UID (fieldRef metadata.uid), this gateway's identity");
      return null;
    }
    if (!UID.matcher(value.get()).matches()) {
      problems.add(
          GATEWAY_ID
              + " must be the pod UID, a UUID like 3f2a6c1e-8b0d-4c8e-9a51-2d7e0b6f4a10, got '"
              + value.get()
              + "'");
      return null;
    }
    return UUID.fromString(value.get());
  }

  private static GatewayMode mode(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return DEFAULT_MODE;
    }
    Optional<GatewayMode> mode = GatewayMode.parse(value.get());
    if (mode.isPresent()) {
      return mode.get();
    }
    if (value.get().equalsIgnoreCase("userspace")) {
      problems.add(MODE + "=userspace is not available yet; use kernel (the default)");
    } else {
      problems.add(MODE + " must be kernel (the default), got '" + value.get() + "'");
    }
    return null;
  }

  private static int listenPort(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return DEFAULT_LISTEN_PORT;
    }
    try {
      int port = Integer.parseInt(value.get());
      if (port >= 1 && port <= 65535) {
        return port;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(
        LISTEN_PORT
            + " must be a UDP port from 1 to 65535 (default "
            + DEFAULT_LISTEN_PORT
            + "), got '"
            + value.get()
            + "'");
    return 0;
  }

  private static int mtu(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return DEFAULT_MTU;
    }
    try {
      int mtu = Integer.parseInt(value.get());
      if (mtu >= 576 && mtu <= 9000) {
        return mtu;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    problems.add(
        MTU + " must be 576..9000 (default " + DEFAULT_MTU + "), got '" + value.get() + "'");
    return 0;
  }

  private static LogFormat logFormat(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return DEFAULT_LOG_FORMAT;
    }
    Optional<LogFormat> format = LogFormat.parse(value.get());
    if (format.isEmpty()) {
      problems.add(LOG_FORMAT + " must be json or text, got '" + value.get() + "'");
      return null;
    }
    return format.get();
  }

  private static UdpSocketKind udpSocket(Optional<String> value, List<String> problems) {
    if (value.isEmpty()) {
      return DEFAULT_UDP_SOCKET;
    }
    Optional<UdpSocketKind> kind = UdpSocketKind.parse(value.get());
    if (kind.isEmpty()) {
      problems.add(
          UDP_SOCKET
              + " must be "
              + UdpSocketKind.choices()
              + " (default "
              + DEFAULT_UDP_SOCKET.configValue()
              + "), got '"
              + value.get()
              + "'");
      return null;
    }
    return kind.get();
  }

  /** The stripped value, or empty when unset or blank. */
  private static Optional<String> value(Map<String, String> env, String name) {
    String value = env.get(name);
    return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
  }
}
