package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.e2e.kubelet.PodLauncher;
import dev.gatehouse.e2e.kubelet.RealNode;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewaySpec;
import dev.gatehouse.operator.status.Conditions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The whole flow on real networks, from {@code kubectl apply} to a page through the tunnel: a real
 * kube-apiserver, the operator jar with its API node on PostgreSQL, two gateway pods run as
 * containers by a real kubelet with containerd and runc (or, with {@code GATEHOUSE_NODE=simulated},
 * by the simulated kubelet in network namespaces), the web resource in its own namespace, and the
 * client CLI in a namespace that reaches only what a cluster exposes ({@link LocalStack}). Needs
 * root, PostgreSQL ({@code e2e/scripts/postgres.sh start}) and the Kubernetes binaries ({@code
 * e2e/kube/build-binaries.sh}); fails, never skips, without them. Logs of every process stay in
 * {@code e2e/logs/whole-flow/}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WholeFlowIT {
  static final Path REPO = Path.of("..").toAbsolutePath().normalize();
  static final Path LOGS = REPO.resolve("e2e/logs/whole-flow");

  LocalStack stack;
  Scenarios scenarios;

  @BeforeAll
  void start() throws Exception {
    stack =
        LocalStack.start(
            new LocalStack.Options(
                REPO,
                LOGS,
                Path.of("/var/tmp/gatehouse-whole-flow"),
                77,
                19643,
                18643,
                18691,
                8 << 20,
                // fail over after 6 s of silence: above WireGuard's 5 s REKEY_TIMEOUT, so that a
                // re-handshake whose first initiation was lost is not mistaken for a dead gateway
                List.of("--dead-peer-after", "6", "--ignore-revocations"),
                LocalStack.realNodeWanted()));
    stack.applyObjects();
    stack.awaitReady(Duration.ofSeconds(120));
    scenarios = new Scenarios(stack);
  }

  /**
   * With {@code -Dgatehouse.e2e.holdSeconds=N} the stack stays up N seconds after the last
   * scenario, so that a developer can look into the namespaces ({@code ip netns exec ...}).
   */
  @AfterAll
  void stop() throws InterruptedException {
    long hold = Long.getLong("gatehouse.e2e.holdSeconds", 0);
    if (hold > 0 && stack != null) {
      System.out.println("holding the stack for " + hold + " s: lab " + stack.lab().name());
      Thread.sleep(hold * 1000);
    }
    if (stack != null) {
      stack.close();
    }
  }

  String logs() {
    return " (logs in " + LOGS + ")";
  }

  @Test
  @Order(10)
  void theClientFetchesAPageAndAFileThroughAGatewayAndOnlyThroughIt() throws Exception {
    Scenarios.PageAndFile r = scenarios.pageAndFile();

    assertThat(r.blockedWithoutTunnel())
        .as("without the client's tunnel the resource is unreachable" + logs())
        .isTrue();
    assertThat(r.page().ok()).as("the page through the tunnel: " + r.page() + logs()).isTrue();
    assertThat(r.page().body()).contains(ResourceServers.PAGE_MARKER);
    assertThat(r.accessLogLine())
        .as("the resource sees the gateway pod's address, not the client's")
        .startsWith(r.gatewayPodIp() + " ");
    assertThat(r.file().sha256()).isEqualTo(stack.resource().fileSha256());
    assertThat(r.file().bytes()).isEqualTo(stack.resource().fileBytes());
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(stack.gatewayConnectedReplicas())
                    .as("kubectl get gateway: CONNECTED")
                    .isEqualTo(2));
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(15)
  void aDnsResourceIsReachedByNameThroughTheClientsStubAndTheGatewaysResolver() throws Exception {
    Scenarios.ByName r = scenarios.byName();

    assertThat(r.page().ok()).as("the page by name: " + r.page() + logs()).isTrue();
    assertThat(r.proxyAddress())
        .as("the stub answered %s with a proxy address, got %s", r.name(), r.address())
        .isTrue();
    assertThat(stack.gatewayPods().values())
        .as("the request reached the resource from a gateway pod: " + r.accessLogLine())
        .anySatisfy(pod -> assertThat(r.accessLogLine()).startsWith(pod.podIp() + " "));
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(14)
  void gatewayContainersRunWithNetAdminAloneAsTheRuntimeReportsIt() throws Exception {
    Assumptions.assumeTrue(
        stack.node().isPresent(), "GATEHOUSE_NODE=simulated: no container runtime to ask");
    RealNode node = stack.node().orElseThrow();
    Set<String> pods = stack.gatewayPods().keySet();
    assertThat(pods).as("gateway pods on the node").hasSize(2);
    for (String key : pods) {
      String[] parts = key.split("/", 2);
      RealNode.RuntimeView runtime = node.inspect(parts[0], parts[1]);
      assertThat(runtime.privileged()).as(key + " privileged, per containerd").isFalse();
      // CAP_NET_ADMIN is bit 12; every other bit cleared, in the effective and bounding sets.
      assertThat(runtime.capEff()).as(key + " CapEff of pid " + runtime.pid()).isEqualTo(NET_ADMIN);
      assertThat(runtime.capBnd()).as(key + " CapBnd").isEqualTo(NET_ADMIN);
      assertThat(runtime.noNewPrivs()).as(key + " NoNewPrivs").isEqualTo("1");
      assertThat(runtime.seccomp()).as(key + " Seccomp (2: filter)").isEqualTo("2");
      assertThat(runtime.readOnlyRoot()).as(key + " read-only root").isTrue();
      assertThat(runtime.netns()).as(key + " network namespace").startsWith("cni-");
    }
  }

  private static final String NET_ADMIN = String.format("%016x", 1L << 12);

  @Test
  @Order(16)
  void aGatewayInARestrictedNamespaceSaysWhyItHasNoPods() {
    String ns = "gatehouse-restricted";
    stack
        .kube()
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(ns)
                .addToLabels("pod-security.kubernetes.io/enforce", "restricted")
                .endMetadata()
                .build())
        .serverSideApply();
    Gateway gateway = new Gateway();
    gateway.getMetadata().setName("locked");
    gateway.getMetadata().setNamespace(ns);
    gateway.setSpec(new GatewaySpec());
    gateway.getSpec().setReplicas(1);
    stack.kube().resource(gateway).create();
    try {
      await()
          .atMost(Duration.ofSeconds(90))
          .untilAsserted(
              () -> {
                Gateway g =
                    stack.kube().resources(Gateway.class).inNamespace(ns).withName("locked").get();
                assertThat(g.getStatus()).isNotNull();
                assertThat(Conditions.find(g.getStatus().getConditions(), Conditions.DEGRADED))
                    .hasValueSatisfying(
                        c -> {
                          assertThat(c.getStatus()).isEqualTo("True");
                          assertThat(c.getMessage()).contains("violates PodSecurity \"restricted");
                        });
              });
    } finally {
      stack.kube().resource(gateway).delete();
    }
  }

  @Test
  @Order(18)
  void anInjectedWorkloadReachesTheResourceWithATokenOfItsOwnThatGoesWithIt() throws Exception {
    Assumptions.assumeTrue(stack.node().isPresent(), "GATEHOUSE_NODE=simulated: no pods run");
    InjectedWorkload.Result r = new InjectedWorkload(stack).run("ci-runner-1");

    assertThat(r.sidecar())
        .as("the webhook injected a native sidecar")
        .isEqualTo("gatehouse-client Always");
    assertThat(r.phase()).as("the app's curl got the page: " + r + logs()).isEqualTo("Succeeded");
    assertThat(r.accessLogLine())
        .as("the resource saw a gateway's address, not the pod's (%s): %s", r.podIp(), r)
        .isNotEmpty()
        .doesNotStartWith(r.podIp() + " ");
    assertThat(r.throughGateway()).as("from a gateway pod: " + r).isTrue();
    assertThat(r.tokenSecret())
        .as("the pod's token was minted into a Secret of its own, owned by the pod")
        .isEqualTo(r.tokenSecret().split(" ")[0] + " Pod " + r.pod());
    assertThat(r.tokenState())
        .as("its token is revoked once the pod finished")
        .isEqualTo("revoked");
    assertThat(r.secretAfterDelete()).as("its Secret goes with the pod").isFalse();
    assertThat(r.sidecarRuntime()).as("the sidecar seen running by the runtime").isNotNull();
    assertThat(r.sidecarRuntime().privileged()).as("sidecar privileged, per containerd").isFalse();
    assertThat(r.sidecarRuntime().capEff()).as("sidecar CapEff").isEqualTo(NET_ADMIN);
    assertThat(r.sidecarRuntime().capBnd()).as("sidecar CapBnd").isEqualTo(NET_ADMIN);
    assertThat(r.sidecarRuntime().noNewPrivs()).as("sidecar NoNewPrivs").isEqualTo("1");
    assertThat(r.sidecarRuntime().readOnlyRoot()).as("sidecar read-only root").isTrue();
  }

  @Test
  @Order(17)
  void everyMetricTheChartsDashboardQueriesIsExportedByTheRunningStack() throws Exception {
    Set<String> queried =
        DashboardQueries.metricNames(
            Files.readString(REPO.resolve("charts/gatehouse/dashboards/gatehouse-overview.json")));
    PodLauncher.Running gateway =
        stack.gatewayPods().values().stream()
            .filter(PodLauncher.Running::alive)
            .findFirst()
            .orElseThrow();

    String operator = stack.operatorMetrics(0);
    assertThat(DashboardQueries.missing(queried, operator, Probes.scrape(gateway)))
        .as("metrics the dashboard queries that neither the operator nor a gateway exports")
        .isEmpty();
    assertThat(operator)
        .as("the operator exports its API node's readiness and CDC stream state")
        .contains("\ngatehouse_apinode_ready 1\n")
        .contains("\ngatehouse_cdc_stream_up 1\n");
  }

  /**
   * The chart's relay Deployment on the real node, from the image {@code e2e/node/images.sh relay}
   * builds: it becomes Ready on its own probes, runs with no capability at all, and coturn's stock
   * client allocates on it with credentials minted from the chart's Secret and bounces datagrams
   * off a peer through it.
   */
  @Test
  @Order(18)
  void theChartsRelayRunsAsAPodOnTheNodeAndRelaysForAStockTurnClient() throws Exception {
    Assumptions.assumeTrue(
        stack.node().isPresent(), "GATEHOUSE_NODE=simulated: no container runtime to run it");
    ChartRelayPod.apply(stack.kube(), REPO);
    io.fabric8.kubernetes.api.model.Pod pod =
        await()
            .atMost(Duration.ofSeconds(120))
            .pollInterval(Duration.ofSeconds(1))
            .until(() -> ChartRelayPod.readyPod(stack.kube()), p -> p != null);
    String podIp = pod.getStatus().getPodIP();
    RealNode.RuntimeView runtime =
        stack.node().orElseThrow().inspect(ChartRelayPod.NAMESPACE, pod.getMetadata().getName());
    assertThat(runtime.privileged()).as("relay privileged, per containerd").isFalse();
    assertThat(runtime.capEff()).as("relay CapEff").isEqualTo("0000000000000000");
    assertThat(runtime.noNewPrivs()).isEqualTo("1");
    assertThat(runtime.readOnlyRoot()).isTrue();

    String peerNs = stack.lab().relayNamespace();
    Process peer =
        new ProcessBuilder(
                Commands.inNamespace(
                    peerNs,
                    List.of(
                        "timeout",
                        "60",
                        "turnutils_peer",
                        "-L",
                        stack.lab().relayAddress(),
                        "-p",
                        "3480")))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD)
            .start();
    try {
      Thread.sleep(500);
      dev.gatehouse.relay.RelayCredentials.Minted c =
          dev.gatehouse.relay.RelayCredentials.mint(
              ChartRelayPod.SECRET, java.time.Instant.now().plusSeconds(600), "uclient");
      String out =
          Commands.runIn(
              stack.lab().resourceNamespace(),
              "turnutils_uclient",
              "-s", // Send indications: coturn's channel numbers are RFC 5766's, wider than 8656's
              "-c",
              "-n",
              "20",
              "-l",
              "120",
              "-u",
              c.username(),
              "-w",
              c.password(),
              "-e",
              stack.lab().relayAddress(),
              "-r",
              "3480",
              "-p",
              "3478",
              podIp);
      assertThat(out)
          .as("turnutils_uclient through the relay pod at " + podIp + logs())
          .contains("tot_send_msgs=20, tot_recv_msgs=20")
          .contains("Total lost packets 0");
      String metrics =
          Commands.runIn(
              stack.lab().resourceNamespace(),
              "curl",
              "-sf",
              "-m",
              "3",
              "http://" + podIp + ":9464/metrics");
      assertThat(dev.gatehouse.relay.turn.RelayMetrics.bytesRelayed(metrics))
          .as("bytes the relay pod carried, both ways")
          .isGreaterThanOrEqualTo(2 * 20 * 120);
    } finally {
      peer.destroy();
    }
  }

  @Test
  @Order(19)
  void withNoInboundPortTheClientGoesThroughTheRelayAndBackToDirectWhenItOpens() throws Exception {
    Scenarios.Relayed r = scenarios.relayed();

    assertThat(r.page().ok())
        .as("the page with the gateways' port blocked: " + r + logs())
        .isTrue();
    assertThat(r.pathWhileBlocked()).as("client status path").contains("relayed");
    assertThat(r.bytesRelayed()).as("bytes the relay carried").isGreaterThan(0);
    assertThat(r.pathAfter()).as("path once the port is back" + logs()).contains("direct");
    assertThat(r.bytesRelayedAfterPromotion())
        .as("the relay carries nothing after promotion")
        .isZero();
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(20)
  void garbageAtTheGatewayPortIsDroppedAndCountedWhileTrafficContinues() throws Exception {
    Scenarios.Garbage r = scenarios.garbage(200);

    assertThat(r.dropsAfter() - r.dropsBefore())
        .as("random datagrams counted as drops" + logs())
        .isGreaterThanOrEqualTo(200);
    assertThat(stack.gatewayPods().get(r.pod()).alive()).isTrue();
    assertThat(r.pageAfter().ok()).as("traffic after the garbage: " + r.pageAfter()).isTrue();
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(30)
  void anApiNodeRestartKeepsTheTunnelsAndEveryoneReconnects() throws Exception {
    Scenarios.ApiRestart r = scenarios.apiNodeRestart();

    assertThat(r.pingsAnswered())
        .as("pings through the tunnel while the API node restarts" + logs())
        .isGreaterThanOrEqualTo(r.pingsSent() * 95 / 100);
    assertThat(r.clientReconnected()).as("client control channel back" + logs()).isTrue();
    assertThat(r.gatewaysReconnected()).as("gateway control channels back" + logs()).isTrue();
    assertThat(r.pageAfter().ok()).isTrue();
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(40)
  void aKilledGatewayIsReplacedByANewFlowThroughAnother() throws Exception {
    Scenarios.Failover r = scenarios.gatewayKilled();

    assertThat(r.pageAfter().ok())
        .as("a page through another gateway after the kill: " + r + logs())
        .isTrue();
    assertThat(r.newPod()).isNotEqualTo(r.killedPod()).isNotEqualTo("?");
    assertThat(r.secondsToPageThroughOtherGateway()).isLessThan(30);
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }

  @Test
  @Order(50)
  void aPolicyDeletedWithKubectlIsEnforcedByTheGatewayWithinASecond() throws Exception {
    Scenarios.Revocation r = scenarios.revocation();

    assertThat(r.repliesBefore()).as("pings answered before the delete" + logs()).isPositive();
    assertThat(r.commitAfterDelete()).as("the operator soft-deleted the policy row").isPresent();
    assertThat(r.routeKept())
        .as("the client (--ignore-revocations) kept routing the resource: the gateway must act")
        .isTrue();
    assertThat(r.gatewayDrops())
        .as("packets the gateways dropped as unauthorized after the delete: " + r + logs())
        .isPositive();
    assertThat(r.repliesLaterThanOneSecond())
        .as("pings answered more than 1 s after the delete: " + r + logs())
        .isZero();
    assertThat(r.pageAfter().ok()).isFalse();
    assertThat(r.passed()).as("the demo's verdict agrees: " + r).isTrue();
  }
}
