package dev.gatehouse.e2e.local;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.e2e.kubelet.KubeControlPlane;
import dev.gatehouse.e2e.kubelet.LocalKubelet;
import dev.gatehouse.e2e.kubelet.NetnsPodLauncher;
import dev.gatehouse.e2e.kubelet.PodLauncher;
import dev.gatehouse.e2e.kubelet.RealNode;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.sync.ControlPlaneIds;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Gatehouse on this machine, the way a cluster runs it: a real kube-apiserver (with etcd and the
 * controller manager) holding the CRDs and the objects of {@code local-stack/stack.yaml}; the
 * operator jar with its API node on a real PostgreSQL; a real node ({@link RealNode}: kubelet,
 * containerd, runc) that runs the gateway pods the operator's Deployment asks for as containers
 * from locally built images — or, as the fast path, a simulated kubelet ({@link LocalKubelet}) that
 * runs them as gateway-sidecar processes in network namespaces; the web resource in a namespace of
 * its own; and the headless client CLI in a namespace that sees only what a cluster exposes (see
 * {@link LabNetwork}). Logs of every process stay in {@code logs}.
 */
public final class LocalStack implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalStack.class);
  public static final String NAMESPACE = "gatehouse-demo";
  public static final String GATEWAY_SELECTOR = "app.kubernetes.io/name=gatehouse-gateway";

  /**
   * Where and how to run.
   *
   * @param subnet N of the lab's 10.244.N.0/24 (distinct per concurrent stack)
   * @param kubeBasePort the kube-apiserver's port; etcd and the controller manager use the next 3,
   *     a real node's kubelet, its healthz and the scheduler + 5, + 6 and + 7
   * @param clientArgs extra {@code gatehouse-client} options
   * @param realNode gateway pods as containers under a real kubelet, or (false) as processes under
   *     the simulated one
   */
  public record Options(
      Path repository,
      Path logs,
      Path work,
      int subnet,
      int kubeBasePort,
      int apiPort,
      int healthPort,
      int fileBytes,
      List<String> clientArgs,
      boolean realNode) {}

  private static final DatabaseConfig DATABASE = DatabaseConfig.fromEnvironment();

  private final Options options;
  private final List<AutoCloseable> open = new ArrayList<>();
  private final String account = "local-" + UUID.randomUUID().toString().substring(0, 8);
  private final String adminToken = randomSecret();
  private LabNetwork lab;
  private KubeControlPlane kube;
  private final List<OperatorProcess> operators = new ArrayList<>();
  private Path kubeBinaries;
  private LocalKubelet kubelet;
  private RealNode node;
  private ResourceServers resource;
  private RelayProcess relay;
  private final String relaySecret = randomSecret();
  private AdminClient admin;
  private ClientProcess client;
  private AdminClient.ClientIdentity identity;

  private LocalStack(Options options) {
    this.options = options;
  }

  /**
   * Whether to run a real node: yes unless {@code GATEHOUSE_NODE=simulated} (or the system property
   * {@code gatehouse.node=simulated}) asks for the simulated kubelet's fast path.
   */
  public static boolean realNodeWanted() {
    String wanted = System.getProperty("gatehouse.node", System.getenv("GATEHOUSE_NODE"));
    if (wanted == null || wanted.isBlank() || wanted.equals("real")) {
      return true;
    }
    if (wanted.equals("simulated")) {
      return false;
    }
    throw new IllegalArgumentException("GATEHOUSE_NODE must be real or simulated, was " + wanted);
  }

  /** Brings up everything but the client's objects and the client itself. */
  public static LocalStack start(Options options) throws Exception {
    LocalStack stack = new LocalStack(options);
    try {
      stack.startInfrastructure();
    } catch (Exception | Error e) {
      stack.close();
      throw e;
    }
    return stack;
  }

  private void startInfrastructure() throws Exception {
    clear(options.logs());
    checkDatabase();
    lab = LabNetwork.create(options.subnet(), options.apiPort());
    open.add(lab);
    kube =
        KubeControlPlane.start(
            options.repository(), options.work().resolve("kube"), options.kubeBasePort());
    open.add(kube);
    try (Stream<Path> crds = Files.list(options.repository().resolve("crds"))) {
      for (Path crd :
          crds.filter(p -> p.toString().endsWith(".yml") || p.toString().endsWith(".yaml"))
              .sorted()
              .toList()) {
        try (InputStream in = Files.newInputStream(crd)) {
          for (HasMetadata applied : kube.client().load(in).serverSideApply()) {
            awaitEstablished(applied.getMetadata().getName());
          }
        }
      }
    }
    kube.client()
        .namespaces()
        .resource(
            // Gateway pods need the privileged Pod Security level (README, "Pod Security").
            new NamespaceBuilder()
                .withNewMetadata()
                .withName(NAMESPACE)
                .addToLabels("pod-security.kubernetes.io/enforce", "privileged")
                .endMetadata()
                .build())
        .serverSideApply();
    String flowKey = randomSecret();
    relay = RelayProcess.start(lab, relaySecret, options.work().resolve("relay"), options.logs());
    open.add(relay);
    if (options.realNode()) {
      webhookCertificate();
    }
    for (int node = 0; node < LabNetwork.API_NODES; node++) {
      OperatorProcess replica =
          new OperatorProcess(
              options.repository(),
              operatorEnvironment(node, flowKey),
              options.logs().resolve("operator-" + node + ".log"),
              options.healthPort() + node);
      operators.add(replica);
      open.add(replica);
    }
    for (OperatorProcess replica : operators) {
      replica.start();
    }
    admin =
        new AdminClient(
            URI.create("http://" + lab.apiAddress(1) + ":" + lab.apiPort()), adminToken);
    if (options.realNode()) {
      startNode();
      registerWebhook();
    } else {
      NetnsPodLauncher launcher =
          new NetnsPodLauncher(options.repository(), options.logs().resolve("pods"), lab);
      kubelet = new LocalKubelet(kube.client(), launcher).start(GATEWAY_SELECTOR);
      open.add(kubelet);
    }
    resource =
        ResourceServers.start(
            lab, options.work().resolve("resource"), options.logs(), options.fileBytes());
    open.add(resource);
  }

  /**
   * A real node on the lab's pod network, addressed as API node 0 (the root namespace's address),
   * whose cluster DNS answers the lab's names.
   */
  private void startNode() throws IOException, InterruptedException {
    Path hosts = options.work().resolve("cluster-hosts");
    Files.createDirectories(options.work());
    Files.writeString(hosts, lab.clusterHosts());
    node =
        RealNode.start(
            new RealNode.Settings(
                options.repository(),
                options.work().resolve("node"),
                options.work().resolve("kube"),
                options.logs().resolve("node"),
                "gatehouse-node",
                lab.apiAddress(0),
                lab.hub(),
                lab.podPrefix(),
                hosts,
                options.kubeBasePort() + 5),
            kube.client(),
            kubeBinaries());
    open.add(node);
  }

  private Path webhookDir() {
    return options.work().resolve("webhook");
  }

  private int webhookPort() {
    return options.healthPort() + 10;
  }

  /** The webhook's serving certificate, self-signed for 127.0.0.1 (the caBundle trusts it). */
  private void webhookCertificate() throws IOException, InterruptedException {
    Files.createDirectories(webhookDir());
    Commands.run(
        "openssl",
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=127.0.0.1",
        "-addext",
        "subjectAltName=IP:127.0.0.1",
        "-keyout",
        webhookDir().resolve("tls.key").toString(),
        "-out",
        webhookDir().resolve("tls.crt").toString());
  }

  /**
   * The chart's MutatingWebhookConfiguration, pointed at replica 0 by URL: opted-in pods only
   * ({@code gatehouse.dev/inject=true} on the pod), never kube-system.
   */
  private void registerWebhook() throws IOException {
    String ca =
        Base64.getEncoder().encodeToString(Files.readAllBytes(webhookDir().resolve("tls.crt")));
    kube.client()
        .resource(
            new io.fabric8.kubernetes.api.model.admissionregistration.v1
                    .MutatingWebhookConfigurationBuilder()
                .withNewMetadata()
                .withName("gatehouse-sidecar-injector")
                .endMetadata()
                .addNewWebhook()
                .withName("inject.gatehouse.dev")
                .withNewClientConfig()
                .withUrl("https://127.0.0.1:" + webhookPort() + "/mutate-pods")
                .withCaBundle(ca)
                .endClientConfig()
                .addNewRule()
                .withApiGroups("")
                .withApiVersions("v1")
                .withOperations("CREATE")
                .withResources("pods")
                .withScope("Namespaced")
                .endRule()
                .withNewObjectSelector()
                .addToMatchLabels("gatehouse.dev/inject", "true")
                .endObjectSelector()
                .withNewNamespaceSelector()
                .addNewMatchExpression()
                .withKey("kubernetes.io/metadata.name")
                .withOperator("NotIn")
                .withValues("kube-system")
                .endMatchExpression()
                .endNamespaceSelector()
                .withFailurePolicy("Fail")
                .withSideEffects("None")
                .withTimeoutSeconds(10)
                .withReinvocationPolicy("IfNeeded")
                .withAdmissionReviewVersions("v1")
                .endWebhook()
                .build())
        .serverSideApply();
  }

  /** The real node, when the stack runs one. */
  public java.util.Optional<RealNode> node() {
    return java.util.Optional.ofNullable(node);
  }

  /** Empties a directory of this stack's own (logs of an earlier run). */
  private static void clear(Path dir) throws IOException {
    if (Files.isDirectory(dir)) {
      try (Stream<Path> all = Files.walk(dir)) {
        for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
          if (!p.equals(dir)) {
            Files.delete(p);
          }
        }
      }
    }
    Files.createDirectories(dir);
  }

  private void awaitEstablished(String crd) {
    kube.client()
        .apiextensions()
        .v1()
        .customResourceDefinitions()
        .withName(crd)
        .waitUntilCondition(
            c ->
                c != null
                    && c.getStatus() != null
                    && c.getStatus().getConditions() != null
                    && c.getStatus().getConditions().stream()
                        .anyMatch(
                            k -> "Established".equals(k.getType()) && "True".equals(k.getStatus())),
            60,
            java.util.concurrent.TimeUnit.SECONDS);
  }

  /**
   * The environment of operator replica {@code node}, as the chart sets it: the same database,
   * account, flow key and admin token on both; each serves its API node on its own address.
   * Gateways dial replica 0; the client and the admin dial replica 1, so flows cross API nodes.
   */
  private Map<String, String> operatorEnvironment(int node, String flowKey) {
    String api = "ws://" + lab.apiAddress(0) + ":" + lab.apiPort();
    Map<String, String> env = new HashMap<>();
    env.put("KUBECONFIG", kubeconfig().toString());
    env.put("GATEHOUSE_DATABASE_URL", DATABASE.url());
    env.put("GATEHOUSE_DATABASE_USER", DATABASE.user());
    env.put("GATEHOUSE_DATABASE_PASSWORD", DATABASE.password());
    env.put("GATEHOUSE_ACCOUNT", account);
    env.put("GATEHOUSE_FLOW_KEY_SECRET", flowKey);
    env.put("GATEHOUSE_ADMIN_TOKEN", adminToken);
    env.put("GATEHOUSE_API_BIND", lab.apiAddress(node));
    env.put("GATEHOUSE_API_PORT", Integer.toString(lab.apiPort()));
    env.put("GATEHOUSE_CONTROL_PLANE_URL", api);
    env.put("GATEHOUSE_NAMESPACE", "default");
    env.put("GATEHOUSE_LEASE_SECONDS", "7");
    env.put("GATEHOUSE_HTTP_PORT", Integer.toString(options.healthPort() + node));
    env.put("POD_NAME", "gatehouse-operator-" + node);
    env.put("GATEHOUSE_RELAYS", relay.address());
    env.put("GATEHOUSE_RELAY_SECRET", relaySecret);
    if (options.realNode()) {
      // Whichever replica leads mints the tokens of injected pods.
      env.put("GATEHOUSE_SIDECAR_INJECTION", "true");
    }
    if (options.realNode() && node == 0) {
      // Replica 0 serves the sidecar injection webhook, as every chart replica does.
      env.put("GATEHOUSE_WEBHOOK_TLS_CERT", webhookDir().resolve("tls.crt").toString());
      env.put("GATEHOUSE_WEBHOOK_TLS_KEY", webhookDir().resolve("tls.key").toString());
      env.put("GATEHOUSE_WEBHOOK_PORT", Integer.toString(webhookPort()));
    }
    return env;
  }

  private static String randomSecret() {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    return Base64.getEncoder().encodeToString(key);
  }

  private static void checkDatabase() {
    try (Connection c = DATABASE.connect()) {
      c.isValid(5);
    } catch (SQLException e) {
      throw new IllegalStateException(
          "PostgreSQL is unreachable at "
              + DATABASE.url()
              + " ("
              + e.getMessage()
              + "). Start it with: e2e/scripts/postgres.sh start",
          e);
    }
  }

  /**
   * Creates the client's identity through the admin API (actor "alice" in group "engineering" and a
   * client token), then applies the Gateway, Resource and Policy, and returns the applied objects
   * as YAML text for whoever wants to show them.
   */
  public String applyObjects() throws Exception {
    identity = admin.createClient("alice", "engineering");
    String yaml;
    try (InputStream in = LocalStack.class.getResourceAsStream("/local-stack/stack.yaml")) {
      yaml = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    yaml =
        yaml.replace("${NAMESPACE}", NAMESPACE)
            .replace("${RESOURCE_IP}", lab.resourceAddress())
            .replace("${RESOURCE_NAME}", LabNetwork.RESOURCE_NAME);
    for (HasMetadata object :
        kube.client()
            .load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
            .items()) {
      kube.client().resource(object).serverSideApply();
    }
    return yaml;
  }

  /** Waits until the Gateway and the Resource say Ready=True. */
  public void awaitReady(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if ("True".equals(gatewayReady()) && "True".equals(resourceReady())) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException(
        "not ready after "
            + timeout.toSeconds()
            + " s: Gateway Ready="
            + gatewayReady()
            + ", Resource Ready="
            + resourceReady()
            + "; logs in "
            + options.logs());
  }

  public String gatewayReady() {
    Gateway g =
        kube.client().resources(Gateway.class).inNamespace(NAMESPACE).withName("edge").get();
    return g == null || g.getStatus() == null
        ? null
        : g.getStatus().condition("Ready").map(c -> c.getStatus()).orElse(null);
  }

  /** The Gateway's CONNECTED column: its pods with a control channel to an API node. */
  public Integer gatewayConnectedReplicas() {
    Gateway g =
        kube.client().resources(Gateway.class).inNamespace(NAMESPACE).withName("edge").get();
    return g == null || g.getStatus() == null ? null : g.getStatus().getConnectedReplicas();
  }

  public String resourceReady() {
    Resource r =
        kube.client().resources(Resource.class).inNamespace(NAMESPACE).withName("web").get();
    return r == null || r.getStatus() == null
        ? null
        : r.getStatus().condition("Ready").map(c -> c.getStatus()).orElse(null);
  }

  /** Starts the headless client with the token the admin API minted. */
  public ClientProcess startClient() throws IOException {
    if (identity == null) {
      throw new IllegalStateException("applyObjects() first: the client needs its token");
    }
    client =
        ClientProcess.start(
            options.repository(),
            lab,
            identity.token(),
            options.work().resolve("client"),
            options.logs().resolve("client.log"),
            options.clientArgs());
    open.add(client);
    return client;
  }

  /**
   * Revokes access the way a platform team does: {@code kubectl delete policy engineers-web}
   * (without waiting for the finalizer). The operator's finalizer then soft-deletes the policy row,
   * and the API nodes tell the gateways ({@code reject_access}) and the client ({@code
   * resource_deleted}).
   *
   * @return the policy row's id, for {@link #policyDeletedAt}
   */
  public UUID deletePolicyWithKubectl() throws IOException, InterruptedException {
    Policy policy =
        kube.client()
            .resources(Policy.class)
            .inNamespace(NAMESPACE)
            .withName("engineers-web")
            .get();
    if (policy == null) {
      throw new IllegalStateException("no Policy engineers-web in " + NAMESPACE);
    }
    kubectl("-n", NAMESPACE, "delete", "policy", "engineers-web", "--wait=false");
    return ControlPlaneIds.ofUid(policy.getMetadata().getUid());
  }

  /** When the control plane marked the policy row deleted (epoch seconds), if it has. */
  public java.util.Optional<Double> policyDeletedAt(UUID policyId) throws SQLException {
    try (Connection c = DATABASE.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT extract(epoch FROM deleted_at)::float8 FROM policies WHERE id = ?")) {
      ps.setObject(1, policyId);
      try (var rs = ps.executeQuery()) {
        if (!rs.next()) {
          return java.util.Optional.empty();
        }
        double at = rs.getDouble(1);
        return rs.wasNull() ? java.util.Optional.empty() : java.util.Optional.of(at);
      }
    }
  }

  /**
   * The token the operator minted for an injected pod: "live", "revoked" or "missing", and whether
   * it belongs to a service account ("live service_account").
   */
  public String workloadTokenState(String podUid) throws SQLException {
    try (Connection c = DATABASE.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT CASE WHEN t.deleted_at IS NULL THEN 'live' ELSE 'revoked' END"
                    + " FROM tokens t WHERE t.id = ? AND t.workload IS NOT NULL")) {
      ps.setObject(1, dev.gatehouse.operator.inject.WorkloadTokens.tokenId(podUid));
      try (var rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : "missing";
      }
    }
  }

  /** Runs the stack's kubectl (from {@code e2e/kube/build-binaries.sh}) as the admin. */
  public String kubectl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(kubeBinaries().resolve("kubectl").toString());
    command.addAll(List.of("--kubeconfig", kubeconfig().toString()));
    command.addAll(List.of(args));
    return Commands.run(command.toArray(String[]::new));
  }

  private Path kubeBinaries() throws IOException, InterruptedException {
    if (kubeBinaries == null) {
      kubeBinaries =
          Path.of(
              Commands.run(
                      "bash", options.repository().resolve("e2e/kube/build-binaries.sh").toString())
                  .lines()
                  .reduce((a, b) -> b)
                  .orElseThrow()
                  .strip());
    }
    return kubeBinaries;
  }

  /** What operator replica {@code node} serves on {@code /metrics} (its own and its API node's). */
  public String operatorMetrics(int node) throws IOException, InterruptedException {
    return Commands.run(
        "curl", "-sf", "-m", "3", "http://127.0.0.1:" + (options.healthPort() + node) + "/metrics");
  }

  /** The gateway pods the node runs now, by pod key. */
  public Map<String, PodLauncher.Running> gatewayPods() {
    return node != null ? node.pods(NAMESPACE, GATEWAY_SELECTOR) : kubelet.running();
  }

  /**
   * Stops operator replica {@code node} and its API node (SIGTERM, as a rolling update does) and
   * starts it again, waiting until it is ready.
   */
  public Duration restartOperator(int node) throws IOException, InterruptedException {
    long start = System.nanoTime();
    operators.get(node).stop();
    operators.get(node).start();
    return Duration.ofNanos(System.nanoTime() - start);
  }

  public LabNetwork lab() {
    return lab;
  }

  public KubernetesClient kube() {
    return kube.client();
  }

  public ResourceServers resource() {
    return resource;
  }

  public AdminClient admin() {
    return admin;
  }

  public RelayProcess relay() {
    return relay;
  }

  public ClientProcess client() {
    return client;
  }

  /** The kubeconfig of the stack's kube-apiserver (admin credentials), for kubectl. */
  public Path kubeconfig() {
    return options.work().resolve("kube/kubeconfig");
  }

  public Path logs() {
    return options.logs();
  }

  @Override
  public void close() {
    for (AutoCloseable c : open.reversed()) {
      try {
        c.close();
      } catch (Exception e) {
        LOG.warn("closing {}: {}", c, e.toString());
      }
    }
    open.clear();
  }
}
