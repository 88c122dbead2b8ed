package dev.gatehouse.operator.config;

import java.time.Duration;
import java.util.Map;
import java.util.Set;

/**
 * How the operator runs, read once at start from the environment.
 *
 * @param namespaces namespaces to watch; empty means all namespaces
 * @param gatewayImage image of gateway pods when a Gateway names none
 * @param controlPlaneUrl WebSocket URL gateways connect to when a Gateway names none; by default
 *     the {@code gatehouse-api} Service of the operator's namespace, {@code wss://} when the API
 *     node serves TLS (GATEHOUSE_API_TLS_CERT set), else {@code ws://}
 * @param leaseName name of the leader-election Lease; null disables leader election
 * @param leaseNamespace namespace of the Lease (the operator's own)
 * @param leaseIdentity this replica's name in the Lease (the pod name)
 * @param serverSideApply whether dependents and status use server-side apply (off only for the
 *     Fabric8 mock server, which lacks it)
 * @param httpPort port of the health and metrics endpoint; 0 disables it
 * @param gatewayApiCaConfigMap a ConfigMap in each Gateway's namespace whose {@code ca.crt} the
 *     gateway pods trust for a {@code wss://} control plane (GATEHOUSE_GATEWAY_API_CA_CONFIGMAP);
 *     null: the gateways trust their JDK's public CAs
 * @param resync how often every Gateway, Resource and Policy is reconciled even when nothing in
 *     Kubernetes changed, so rows changed or lost in the control-plane database are repaired
 *     (GATEHOUSE_RESYNC_SECONDS, default 300; the upserts write nothing when nothing drifted)
 */
public record OperatorConfig(
    Set<String> namespaces,
    String gatewayImage,
    String controlPlaneUrl,
    String leaseName,
    String leaseNamespace,
    String leaseIdentity,
    Duration leaseDuration,
    boolean serverSideApply,
    int httpPort,
    String gatewayApiCaConfigMap,
    Duration resync) {

  public static final Duration DEFAULT_RESYNC = Duration.ofMinutes(5);

  public OperatorConfig {
    if (resync == null || resync.isZero() || resync.isNegative()) {
      throw new IllegalArgumentException("the resync interval must be positive, got " + resync);
    }
  }

  public static final String DEFAULT_GATEWAY_IMAGE = "ghcr.io/gatehouse-dev/gateway-sidecar:0.1.0";
  public static final String DEFAULT_LEASE_NAME = "gatehouse-operator-leader";

  /** Settings without a CA ConfigMap for gateways. */
  public OperatorConfig(
      Set<String> namespaces,
      String gatewayImage,
      String controlPlaneUrl,
      String leaseName,
      String leaseNamespace,
      String leaseIdentity,
      Duration leaseDuration,
      boolean serverSideApply,
      int httpPort) {
    this(
        namespaces,
        gatewayImage,
        controlPlaneUrl,
        leaseName,
        leaseNamespace,
        leaseIdentity,
        leaseDuration,
        serverSideApply,
        httpPort,
        null,
        DEFAULT_RESYNC);
  }

  /** Reads GATEHOUSE_* variables; an invalid value is an error naming the variable. */
  public static OperatorConfig fromEnvironment(Map<String, String> env) {
    String watched = env.getOrDefault("GATEHOUSE_WATCH_NAMESPACES", "").trim();
    Set<String> namespaces = watched.isEmpty() ? Set.of() : Set.of(watched.split("\\s*,\\s*"));
    String ownNamespace = env.getOrDefault("GATEHOUSE_NAMESPACE", env.get("POD_NAMESPACE"));
    boolean leaderElection =
        Boolean.parseBoolean(env.getOrDefault("GATEHOUSE_LEADER_ELECTION", "true"));
    return new OperatorConfig(
        namespaces,
        env.getOrDefault("GATEHOUSE_GATEWAY_IMAGE", DEFAULT_GATEWAY_IMAGE),
        env.getOrDefault("GATEHOUSE_CONTROL_PLANE_URL", defaultControlPlaneUrl(env, ownNamespace)),
        leaderElection ? env.getOrDefault("GATEHOUSE_LEASE_NAME", DEFAULT_LEASE_NAME) : null,
        ownNamespace,
        env.getOrDefault(
            "POD_NAME",
            env.getOrDefault("HOSTNAME", "gatehouse-operator-" + ProcessHandle.current().pid())),
        Duration.ofSeconds(leaseSeconds(env)),
        Boolean.parseBoolean(env.getOrDefault("GATEHOUSE_SERVER_SIDE_APPLY", "true")),
        (int) parsePositive(env, "GATEHOUSE_HTTP_PORT", 8080),
        blankToNull(env.get("GATEHOUSE_GATEWAY_API_CA_CONFIGMAP")),
        Duration.ofSeconds(resyncSeconds(env)));
  }

  private static long resyncSeconds(Map<String, String> env) {
    long seconds = parsePositive(env, "GATEHOUSE_RESYNC_SECONDS", DEFAULT_RESYNC.toSeconds());
    if (seconds == 0) {
      throw new IllegalArgumentException(
          "GATEHOUSE_RESYNC_SECONDS must be at least 1 (the control-plane rows are repaired that"
              + " often), got 0");
    }
    return seconds;
  }

  private static String blankToNull(String value) {
    return value == null || value.isBlank() ? null : value.strip();
  }

  /** The same settings with gateways trusting the {@code ca.crt} of this ConfigMap. */
  public OperatorConfig withGatewayApiCaConfigMap(String configMap) {
    return new OperatorConfig(
        namespaces,
        gatewayImage,
        controlPlaneUrl,
        leaseName,
        leaseNamespace,
        leaseIdentity,
        leaseDuration,
        serverSideApply,
        httpPort,
        configMap,
        resync);
  }

  /** The same settings with another resync interval. */
  public OperatorConfig withResync(Duration interval) {
    return new OperatorConfig(
        namespaces,
        gatewayImage,
        controlPlaneUrl,
        leaseName,
        leaseNamespace,
        leaseIdentity,
        leaseDuration,
        serverSideApply,
        httpPort,
        gatewayApiCaConfigMap,
        interval);
  }

  /**
   * The API node's Service in the operator's namespace: {@code
   * wss://gatehouse-api.<ns>.svc:<GATEHOUSE_API_PORT>} when it serves TLS, {@code ws://} otherwise.
   */
  static String defaultControlPlaneUrl(Map<String, String> env, String ownNamespace) {
    String tlsCert = env.get("GATEHOUSE_API_TLS_CERT");
    boolean tls = tlsCert != null && !tlsCert.isBlank();
    String port = env.getOrDefault("GATEHOUSE_API_PORT", "8443").strip();
    return (tls ? "wss" : "ws")
        + "://gatehouse-api."
        + (ownNamespace == null ? "gatehouse" : ownNamespace)
        + ".svc:"
        + (port.isEmpty() ? "8443" : port);
  }

  /** Settings for tests: all namespaces, no leader election, no HTTP endpoint. */
  public static OperatorConfig forTests(boolean serverSideApply) {
    return new OperatorConfig(
        Set.of(),
        DEFAULT_GATEWAY_IMAGE,
        "ws://gatehouse-api.gatehouse.svc:8080",
        null,
        null,
        "test",
        Duration.ofSeconds(15),
        serverSideApply,
        0);
  }

  /** The same settings with leader election through the named Lease, as {@code identity}. */
  public OperatorConfig withLeaderElection(
      String name, String namespace, String identity, Duration duration) {
    return new OperatorConfig(
        namespaces,
        gatewayImage,
        controlPlaneUrl,
        name,
        namespace,
        identity,
        duration,
        serverSideApply,
        httpPort,
        gatewayApiCaConfigMap,
        resync);
  }

  /** Lease duration: at least 7 s, so the renew deadline (2/3) exceeds the 2 s retry period. */
  private static long leaseSeconds(Map<String, String> env) {
    long seconds = parsePositive(env, "GATEHOUSE_LEASE_SECONDS", 15);
    if (seconds < 7) {
      throw new IllegalArgumentException(
          "GATEHOUSE_LEASE_SECONDS must be at least 7 (the leader renews every 2 s), got "
              + seconds);
    }
    return seconds;
  }

  private static long parsePositive(Map<String, String> env, String name, long fallback) {
    String value = env.get(name);
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      long parsed = Long.parseLong(value.trim());
      if (parsed < 0) {
        throw new NumberFormatException();
      }
      return parsed;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          name + " must be a non-negative whole number, got '" + value + "'", e);
    }
  }
}
