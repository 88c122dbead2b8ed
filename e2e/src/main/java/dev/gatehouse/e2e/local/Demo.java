package dev.gatehouse.e2e.local;

import dev.gatehouse.e2e.kubelet.PodLauncher;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The README's first command ({@code e2e/demo.sh}) after its set-up: runs the {@link LocalStack}
 * and tells, step by step, what happens from {@code kubectl apply} to a page through a gateway,
 * then the failure scenarios and the revocation. Leaves nothing running.
 */
public final class Demo {
  private static final String REJECTED_BY = "gatehouse.dev/rejected-by";
  private final Path repository;
  private final DemoSummary summary = new DemoSummary();
  private LocalStack stack;

  private Demo(Path repository) {
    this.repository = repository;
  }

  public static void main(String[] args) throws Exception {
    Path repository = Path.of(args.length > 0 ? args[0] : ".").toAbsolutePath().normalize();
    int status = new Demo(repository).run();
    System.exit(status);
  }

  private static void step(String title) {
    System.out.printf("%n\033[1m== %s\033[0m%n", title);
  }

  private static void say(String format, Object... args) {
    System.out.printf("  " + format + "%n", args);
  }

  private int run() throws Exception {
    Path logs = repository.resolve("e2e/logs/demo");
    step(
        "Starting a local stack: kube-apiserver + etcd + controller manager, the operator with its"
            + " API node, a real node (kubelet, containerd, runc), the web resource, all in network"
            + " namespaces");
    try {
      stack =
          LocalStack.start(
              new LocalStack.Options(
                  repository,
                  logs,
                  Path.of("/var/tmp/gatehouse-demo"),
                  78,
                  17443,
                  18543,
                  18081,
                  16 << 20,
                  // fail over after 6 s of silence: above WireGuard's 5 s REKEY_TIMEOUT, so that a
                  // re-handshake whose first initiation was lost is not mistaken for a dead gateway
                  List.of("--dead-peer-after", "6", "--ignore-revocations"),
                  LocalStack.realNodeWanted()));
      say(
          "pod network %s.0/24; two operator replicas, each with an API node: ws://%s:%d (the"
              + " gateways dial it) and ws://%s:%d (the client does); web resource %s; client at"
              + " %s",
          stack.lab().podPrefix(),
          stack.lab().apiAddress(0),
          stack.lab().apiPort(),
          stack.lab().apiAddress(1),
          stack.lab().apiPort(),
          stack.lab().resourceAddress(),
          stack.lab().clientAddress());
      say("logs of every process: %s", logs);
      tell();
    } catch (Exception | AssertionError e) {
      System.out.println();
      System.out.println("demo failed: " + e);
      summary.add("local stack", "failed: " + oneLine(e), false);
    } finally {
      step("Cleaning up: every process and namespace the demo started");
      if (stack != null) {
        stack.close();
      }
    }
    step("Summary");
    System.out.print(summary.render());
    if (summary.exitStatus() != 0) {
      System.out.println("  logs of every process are in " + logs);
    }
    return summary.exitStatus();
  }

  /** A scenario's body; what it returns is told and judged by the caller. */
  private interface Scenario<T> {
    T run() throws Exception;
  }

  /**
   * Runs one scenario; when it throws, records a failed row under {@code name} and returns null so
   * that the demo goes on to the next one.
   */
  private <T> T attempt(String name, Scenario<T> scenario) {
    try {
      return scenario.run();
    } catch (Exception | AssertionError e) {
      say("%s failed: %s", name, e);
      summary.add(name, "failed: " + oneLine(e), false);
      return null;
    }
  }

  private static String oneLine(Throwable e) {
    String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    String line = message.lines().findFirst().orElse("");
    return line.length() > 70 ? line.substring(0, 67) + "..." : line;
  }

  private void tell() throws Exception {
    step("An administrator creates user alice in group engineering and a client token (admin API)");
    String yaml = stack.applyObjects();
    say("token minted; the API node stores only its hash");

    step("kubectl apply: a Gateway with two pods, the web Resource, and a Policy for engineering");
    yaml.lines().filter(l -> !l.startsWith("#")).forEach(l -> say("%s", l));

    step("Invalid objects are refused by the API server, with a message naming the field");
    refuseInvalidExamples();

    step("The operator provisions the gateway pods; the kubelet runs them as containers");
    stack.awaitReady(Duration.ofSeconds(120));
    kubectl("get", "gatehouse,deployment,pods", "-n", LocalStack.NAMESPACE, "-o", "wide");

    Scenarios scenarios = new Scenarios(stack);
    step("The client starts and fetches a page through the tunnel");
    Scenarios.PageAndFile first = attempt("first page", scenarios::pageAndFile);
    if (first == null || !first.page().ok()) {
      if (first != null) {
        summary.add("first page", "none within 60 s: " + Scenarios.describe(first.page()), false);
      }
      say("no page through the tunnel: the other scenarios need one, so they are not run");
      return;
    }
    tellPageAndFile(first);

    step("The same server by its DNS name: the client's stub answers, the gateway resolves");
    Scenarios.ByName byName = attempt("DNS resource", scenarios::byName);
    if (byName != null) {
      say(
          "%s resolved in the client's namespace to %s (a proxy address: %s); %s",
          byName.name(),
          byName.address(),
          byName.proxyAddress(),
          Scenarios.describe(byName.page()));
      say("the web server logged: %s", byName.accessLogLine());
      summary.add(
          "DNS resource by name",
          byName.name() + " -> " + byName.address() + ", " + Scenarios.describe(byName.page()),
          byName.passed());
    }

    step(
        "No inbound port: the gateways' UDP port is taken away, the client goes through the relay");
    Scenarios.Relayed relayed = attempt("relayed path", scenarios::relayed);
    if (relayed != null) {
      say(
          "with the gateways' port blocked: %s after %.1f s, path %s, the relay carried %d bytes",
          Scenarios.describe(relayed.page()),
          relayed.secondsToPage(),
          relayed.pathWhileBlocked(),
          relayed.bytesRelayed());
      say(
          "port back: direct again after %.1f s (%s); the relay carried %d bytes after that",
          relayed.secondsToPromotion(), relayed.pathAfter(), relayed.bytesRelayedAfterPromotion());
      summary.add(
          "relayed path (no inbound port)",
          String.format(
              "page in %.1f s via the relay (%d bytes relayed); direct again after %.1f s, then"
                  + " %d bytes relayed",
              relayed.secondsToPage(),
              relayed.bytesRelayed(),
              relayed.secondsToPromotion(),
              relayed.bytesRelayedAfterPromotion()),
          relayed.passed());
    }

    step("Garbage UDP at the gateway's port is dropped and counted; traffic continues");
    Scenarios.Garbage garbage = attempt("garbage UDP", () -> scenarios.garbage(200));
    if (garbage != null) {
      say(
          "sent %d random datagrams to %s: gatehouse_gateway_drops_total %.0f -> %.0f; page after:"
              + " %s",
          garbage.sent(),
          garbage.pod(),
          garbage.dropsBefore(),
          garbage.dropsAfter(),
          Scenarios.describe(garbage.pageAfter()));
      summary.add(
          "garbage UDP",
          String.format(
              "%d sent, %.0f counted as drops, page after: %s",
              garbage.sent(),
              garbage.dropsAfter() - garbage.dropsBefore(),
              garbage.pageAfter().ok() ? "yes" : "no"),
          garbage.passed());
    }

    step(
        "Both operator replicas restart in turn (a rolling update of the API nodes); tunnels stay"
            + " up, everyone reconnects");
    Scenarios.ApiRestart restart = attempt("API node restart", scenarios::apiNodeRestart);
    if (restart != null) {
      say(
          "restart took %.1f s; pings through the tunnel meanwhile: %d of %d answered",
          restart.restart().toMillis() / 1000.0, restart.pingsAnswered(), restart.pingsSent());
      say(
          "client reconnected: %s; gateways reconnected: %s; page after: %s",
          restart.clientReconnected(),
          restart.gatewaysReconnected(),
          Scenarios.describe(restart.pageAfter()));
      summary.add(
          "API node restart",
          String.format(
              "%d of %d pings answered, reconnected: client %s, gateways %s",
              restart.pingsAnswered(),
              restart.pingsSent(),
              restart.clientReconnected() ? "yes" : "no",
              restart.gatewaysReconnected() ? "yes" : "no"),
          restart.passed());
    }

    step("A gateway pod is killed mid-transfer; the client gets a new flow through another one");
    Scenarios.Failover failover = attempt("gateway failover", scenarios::gatewayKilled);
    if (failover != null) {
      say(
          "killed %s; a page came through %s %.1f s later: %s",
          failover.killedPod(),
          failover.newPod(),
          failover.secondsToPageThroughOtherGateway(),
          Scenarios.describe(failover.pageAfter()));
      say("the download that was running: %s", failover.transferDuringKill().replace('\n', ' '));
      summary.add(
          "gateway failover",
          String.format(
              "page through another gateway %.1f s after the kill",
              failover.secondsToPageThroughOtherGateway()),
          failover.passed());
    }

    step(
        "kubectl delete policy engineers-web, while the client keeps sending (it runs with"
            + " --ignore-revocations, so the gateway has to stop it)");
    Scenarios.Revocation revocation = attempt("revocation", scenarios::revocation);
    if (revocation != null) {
      String last = revocation.lastReplyAfterDelete().map(Scenarios::ms).orElse("none (0 ms)");
      say(
          "pings every 20 ms: %d answered before the delete; the operator committed the deletion"
              + " %s after it; last answer %s after it",
          revocation.repliesBefore(),
          revocation.commitAfterDelete().map(Scenarios::ms).orElse("never"),
          last);
      say(
          "answers later than 1 s after it: %d; the client still routes the resource: %s; the"
              + " gateways dropped %.0f of its packets as unauthorized; page now: %s",
          revocation.repliesLaterThanOneSecond(),
          revocation.routeKept(),
          revocation.gatewayDrops(),
          Scenarios.describe(revocation.pageAfter()));
      summary.add(
          "revocation",
          "kubectl delete policy -> last ping answered "
              + last
              + " later; gateway dropped "
              + String.format("%.0f", revocation.gatewayDrops())
              + " packets; page after: "
              + (revocation.pageAfter().ok() ? "yes" : "no"),
          revocation.passed());
    }

    step("Gateway metrics (Prometheus, from inside each pod)");
    for (Map.Entry<String, PodLauncher.Running> pod : stack.gatewayPods().entrySet()) {
      PodLauncher.Running p = pod.getValue();
      if (p.alive()) {
        say(
            "%s: handshakes %.0f, UDP rx %.0f B / tx %.0f B, drops %.0f",
            pod.getKey(),
            Probes.metric(p, "gatehouse_gateway_handshakes_total", null),
            Probes.metric(p, "gatehouse_gateway_udp_bytes_total", "direction=\"rx\""),
            Probes.metric(p, "gatehouse_gateway_udp_bytes_total", "direction=\"tx\""),
            Probes.metric(p, "gatehouse_gateway_drops_total", null));
      }
    }
  }

  private void tellPageAndFile(Scenarios.PageAndFile first) {
    say(
        "before the client ran, the resource was unreachable from the client: %s",
        first.blockedWithoutTunnel() ? "yes (only the gateways' UDP port is exposed)" : "NO");
    say(
        "first page %.2f s after the client started (join, init, create_flow, handshake): %s",
        first.secondsToFirstPage(), Scenarios.describe(first.page()));
    say(
        "through gateway %s (%s); the web server logged: %s",
        first.gatewayPod(), first.gatewayPodIp(), first.accessLogLine());
    summary.add(
        "first page",
        String.format(
            "%.2f s after the client started; unreachable without the tunnel: %s",
            first.secondsToFirstPage(), first.blockedWithoutTunnel() ? "yes" : "NO"),
        first.blockedWithoutTunnel());
    if (first.file() != null) {
      say(
          "a %d-byte file in %.2f s (%.0f Mbit/s), SHA-256 %s",
          first.file().bytes(),
          first.file().seconds(),
          first.file().megabitsPerSecond(),
          first.fileMatches() ? "matches" : "DIFFERS");
      summary.add(
          "file through the tunnel",
          String.format(
              "%d MiB at %.0f Mbit/s, SHA-256 %s",
              first.file().bytes() >> 20,
              first.file().megabitsPerSecond(),
              first.fileMatches() ? "matches" : "DIFFERS"),
          first.fileMatches());
    } else {
      summary.add("file through the tunnel", "not downloaded", false);
    }
    System.out.println();
    stack.client().status().lines().forEach(l -> say("client status | %s", l));
  }

  private void refuseInvalidExamples() throws Exception {
    try (Stream<Path> files = Files.list(repository.resolve("examples/invalid"))) {
      for (Path file : files.sorted().toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          for (HasMetadata object : stack.kube().load(in).items()) {
            if ("operator".equals(object.getMetadata().getAnnotations().get(REJECTED_BY))) {
              continue; // valid for the API server; the operator reports it in status
            }
            try {
              stack.kube().resource(object).dryRun().serverSideApply();
              say("%s: accepted (unexpected)", file.getFileName());
            } catch (KubernetesClientException e) {
              say("%s: %s", file.getFileName(), e.getStatus().getMessage());
            }
          }
        }
      }
    }
  }

  private void kubectl(String... args) throws Exception {
    List<String> command =
        new java.util.ArrayList<>(
            List.of("kubectl", "--kubeconfig", stack.kubeconfig().toString()));
    command.addAll(List.of(args));
    try {
      Commands.run(command.toArray(String[]::new)).lines().forEach(l -> say("%s", l));
    } catch (java.io.IOException e) {
      say("(kubectl: %s)", e.getMessage());
    }
  }
}
