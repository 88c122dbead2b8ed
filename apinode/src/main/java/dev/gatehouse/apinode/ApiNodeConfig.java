package dev.gatehouse.apinode;

import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * Settings of one API node (one operator replica).
 *
 * @param nodeId unique per replica and stable for its life (the pod name)
 * @param accountId the account the admin API works in (the operator's own account)
 * @param bindHost where the WebSocket/HTTP listener binds ({@code 0.0.0.0} in a pod)
 * @param flowKeySecret at least 32 bytes, identical on every replica (preshared key derivation)
 * @param adminToken the bearer token of the admin REST API; null disables {@code /admin}
 * @param heartbeatInterval how often the node refreshes its presence heartbeat
 * @param presenceTtl a node (and its channels) counts as gone this long after its last heartbeat
 * @param flowTimeout how long a client waits for the gateway's {@code flow_authorized} before
 *     {@code offline}
 * @param maxFlowLifetime the longest a flow lasts when neither policy nor token sets an end
 * @param recomputeInterval how often client caches re-evaluate time-based conditions
 * @param dbPoolSize pooled database connections of this node
 * @param migrate whether {@link ApiNode#start} applies the schema migrations
 * @param tlsCertificate PEM certificate chain (leaf first) the listener serves TLS with; null (and
 *     {@code tlsPrivateKey} null) serves plain ws:// and http://
 * @param tlsPrivateKey PEM private key of the chain's first certificate (PKCS#8, PKCS#1 or SEC1)
 */
public record ApiNodeConfig(
    String nodeId,
    UUID accountId,
    String bindHost,
    byte[] flowKeySecret,
    String adminToken,
    Duration heartbeatInterval,
    Duration presenceTtl,
    Duration flowTimeout,
    Duration maxFlowLifetime,
    Duration recomputeInterval,
    int dbPoolSize,
    boolean migrate,
    Path tlsCertificate,
    Path tlsPrivateKey) {

  public ApiNodeConfig {
    if (nodeId == null || nodeId.isBlank()) {
      throw new IllegalArgumentException("nodeId is required");
    }
    if (flowKeySecret == null || flowKeySecret.length < 32) {
      throw new IllegalArgumentException("flowKeySecret must have at least 32 bytes");
    }
    if ((tlsCertificate == null) != (tlsPrivateKey == null)) {
      throw new IllegalArgumentException(
          "TLS needs both a certificate and a private key file, got only the "
              + (tlsCertificate == null
                  ? "private key " + tlsPrivateKey
                  : "certificate " + tlsCertificate));
    }
  }

  /** Whether the listener serves TLS (wss://, https://). */
  public boolean tls() {
    return tlsCertificate != null;
  }

  /** Production defaults: heartbeat 5 s, TTL 15 s, flow timeout 10 s, flows last at most 24 h. */
  public static ApiNodeConfig defaults(
      String nodeId, UUID accountId, byte[] flowKeySecret, String adminToken) {
    return new ApiNodeConfig(
        nodeId,
        accountId,
        "0.0.0.0",
        flowKeySecret,
        adminToken,
        Duration.ofSeconds(5),
        Duration.ofSeconds(15),
        Duration.ofSeconds(10),
        Duration.ofHours(24),
        Duration.ofMinutes(1),
        8,
        true,
        null,
        null);
  }

  public ApiNodeConfig withBindHost(String host) {
    return new ApiNodeConfig(
        nodeId,
        accountId,
        host,
        flowKeySecret,
        adminToken,
        heartbeatInterval,
        presenceTtl,
        flowTimeout,
        maxFlowLifetime,
        recomputeInterval,
        dbPoolSize,
        migrate,
        tlsCertificate,
        tlsPrivateKey);
  }

  public ApiNodeConfig withTimers(Duration heartbeat, Duration ttl, Duration flowTimeout) {
    return new ApiNodeConfig(
        nodeId,
        accountId,
        bindHost,
        flowKeySecret,
        adminToken,
        heartbeat,
        ttl,
        flowTimeout,
        maxFlowLifetime,
        recomputeInterval,
        dbPoolSize,
        migrate,
        tlsCertificate,
        tlsPrivateKey);
  }

  /** The same settings serving TLS with these PEM files; both null serves plain text. */
  public ApiNodeConfig withTls(Path certificate, Path privateKey) {
    return new ApiNodeConfig(
        nodeId,
        accountId,
        bindHost,
        flowKeySecret,
        adminToken,
        heartbeatInterval,
        presenceTtl,
        flowTimeout,
        maxFlowLifetime,
        recomputeInterval,
        dbPoolSize,
        migrate,
        certificate,
        privateKey);
  }
}
