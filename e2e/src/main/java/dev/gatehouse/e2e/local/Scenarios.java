package dev.gatehouse.e2e.local;

import dev.gatehouse.e2e.kubelet.PodLauncher;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.BooleanSupplier;

/**
 * The whole-flow scenarios on a running {@link LocalStack}, each returning what it observed so that
 * a test can assert on it and the demo can tell it. Order matters: the revocation is last.
 */
public final class Scenarios {
  private final LocalStack stack;
  private final Probes probes;

  public Scenarios(LocalStack stack) {
    this.stack = stack;
    this.probes = new Probes(stack);
  }

  public Probes probes() {
    return probes;
  }

  /** Polls until {@code condition} holds; false if it did not within {@code timeout}. */
  static boolean await(Duration timeout, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      if (condition.getAsBoolean()) {
        return true;
      }
      Thread.sleep(100);
    }
    return condition.getAsBoolean();
  }

  /**
   * The pod carrying the client's flow, once the client's status file (rewritten every second)
   * shows it.
   */
  Optional<String> carryingGatewayPod() throws InterruptedException {
    await(Duration.ofSeconds(5), () -> probes.carryingGatewayPod().isPresent());
    return probes.carryingGatewayPod();
  }

  // ---------------------------------------------------------------- 1. page and file

  /**
   * @param blockedWithoutTunnel whether a fetch failed before the client ran (no path but the
   *     tunnel)
   * @param secondsToFirstPage from the client's start to the first page through the tunnel
   * @param accessLogLine the web server's log line of that request (names the source address)
   */
  public record PageAndFile(
      boolean blockedWithoutTunnel,
      double secondsToFirstPage,
      Probes.Fetch page,
      String accessLogLine,
      String gatewayPod,
      String gatewayPodIp,
      Probes.Download file,
      String expectedSha256) {
    /** Unreachable without the tunnel, then a page and the whole file through it. */
    public boolean passed() {
      return blockedWithoutTunnel && page != null && page.ok() && fileMatches();
    }

    public boolean fileMatches() {
      return file != null && file.sha256().equals(expectedSha256);
    }
  }

  public PageAndFile pageAndFile() throws Exception {
    boolean blocked = !probes.fetch("/", 3).ok();
    long start = System.nanoTime();
    stack.startClient();
    Probes.Fetch page = null;
    while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
      page = probes.fetch("/", 5);
      if (page.ok()) {
        break;
      }
      Thread.sleep(200);
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    String log = stack.resource().accessLog();
    String line = log.lines().filter(l -> l.contains("GET /")).reduce((a, b) -> b).orElse("");
    String pod = carryingGatewayPod().orElse("?");
    PodLauncher.Running running = stack.gatewayPods().get(pod);
    Probes.Download file = page != null && page.ok() ? probes.download("/file.bin") : null;
    return new PageAndFile(
        blocked,
        seconds,
        page,
        line,
        pod,
        running == null ? "?" : running.podIp(),
        file,
        stack.resource().fileSha256());
  }

  // ---------------------------------------------------------------- 1c. through the relay

  /**
   * @param pathWhileBlocked the client's {@code path:} status line once the page came back
   * @param bytesRelayed what the relay carried while the gateways' port was blocked
   * @param secondsToPromotion from unblocking until the client was on the direct path again
   * @param bytesRelayedAfterPromotion what the relay carried for three more pages after that
   */
  public record Relayed(
      Probes.Fetch page,
      double secondsToPage,
      String pathWhileBlocked,
      long bytesRelayed,
      double secondsToPromotion,
      String pathAfter,
      long bytesRelayedAfterPromotion) {
    public boolean passed() {
      return page != null
          && page.ok()
          && pathWhileBlocked.contains("relayed")
          && bytesRelayed > 0
          && pathAfter.contains("direct")
          && bytesRelayedAfterPromotion == 0;
    }
  }

  /**
   * Takes the gateways' UDP port away from the client side (a cluster without a LoadBalancer): the
   * client's direct path goes silent, it falls back to the relay and the page comes through it.
   * Then the port comes back, a probe finds the direct path and promotes it, and the relay carries
   * nothing more.
   */
  public Relayed relayed() throws Exception {
    RelayProcess relay = stack.relay();
    long before = relay.bytesRelayed();
    stack.lab().blockDirect(true);
    Probes.Fetch page = null;
    long start = System.nanoTime();
    double secondsToPage;
    String whileBlocked;
    try {
      while (System.nanoTime() - start < Duration.ofSeconds(60).toNanos()) {
        page = probes.fetch("/?relayed", 5);
        if (page.ok()) {
          break;
        }
        Thread.sleep(200);
      }
      secondsToPage = (System.nanoTime() - start) / 1e9;
      // Read while the direct path is still blocked: once it opens, the next probe promotes it.
      await(Duration.ofSeconds(3), () -> path().contains("relayed"));
      whileBlocked = path();
    } finally {
      stack.lab().blockDirect(false);
    }
    long relayed = relay.bytesRelayed() - before;
    long unblocked = System.nanoTime();
    await(Duration.ofSeconds(30), () -> path().contains("direct"));
    double secondsToPromotion = (System.nanoTime() - unblocked) / 1e9;
    probes.fetch("/?promoted", 5); // the gateway roams to the direct path on this one
    long settled = relay.bytesRelayed();
    for (int i = 0; i < 3; i++) {
      probes.fetch("/?direct", 5);
    }
    return new Relayed(
        page,
        secondsToPage,
        whileBlocked,
        relayed,
        secondsToPromotion,
        path(),
        relay.bytesRelayed() - settled);
  }

  /** The client's path to the gateway it uses, from its status ("" before there is one). */
  private String path() {
    return String.join("; ", stack.client().statusLines("path"));
  }

  // ---------------------------------------------------------------- 1b. by name

  /**
   * @param address what the name resolved to in the client namespace (the client's stub answers)
   */
  public record ByName(String name, String address, Probes.Fetch page, String accessLogLine) {
    /** Whether the address is one of the client's proxy addresses, 100.96.0.0/11. */
    public boolean proxyAddress() {
      String[] o = address.split("\\.");
      return o.length == 4
          && o[0].equals("100")
          && Integer.parseInt(o[1]) >= 96
          && Integer.parseInt(o[1]) <= 127;
    }

    public boolean passed() {
      return page != null && page.ok() && proxyAddress();
    }
  }

  /** Fetches the page by the resource's DNS name, through the DNS resource. */
  public ByName byName() throws Exception {
    String url =
        "http://" + LabNetwork.RESOURCE_NAME + ":" + ResourceServers.HTTP_PORT + "/?by-name";
    Probes.Fetch page = null;
    long start = System.nanoTime();
    while (System.nanoTime() - start < Duration.ofSeconds(30).toNanos()) {
      page = probes.fetchUrl(url, 5);
      if (page.ok()) {
        break;
      }
      Thread.sleep(200);
    }
    String line =
        stack
            .resource()
            .accessLog()
            .lines()
            .filter(l -> l.contains("GET /?by-name"))
            .reduce((a, b) -> b)
            .orElse("");
    return new ByName(LabNetwork.RESOURCE_NAME, page.remoteIp(), page, line);
  }

  // ---------------------------------------------------------------- 2. garbage UDP

  public record Garbage(
      String pod, int sent, double dropsBefore, double dropsAfter, Probes.Fetch pageAfter) {
    /** Every datagram counted as a drop, and traffic still flowing. */
    public boolean passed() {
      return dropsAfter - dropsBefore >= sent && pageAfter.ok();
    }
  }

  public Garbage garbage(int count) throws Exception {
    String pod =
        probes.carryingGatewayPod().orElseThrow(() -> new IllegalStateException("no flow"));
    PodLauncher.Running running = stack.gatewayPods().get(pod);
    double before = Probes.metric(running, "gatehouse_gateway_drops_total", null);
    probes.sendGarbage(running.podIp(), count);
    await(
        Duration.ofSeconds(10),
        () -> Probes.metric(running, "gatehouse_gateway_drops_total", null) >= before + count);
    double after = Probes.metric(running, "gatehouse_gateway_drops_total", null);
    return new Garbage(pod, count, before, after, probes.fetch("/", 10));
  }

  // ---------------------------------------------------------------- 3. API node restart

  public record ApiRestart(
      Duration restart,
      int pingsSent,
      int pingsAnswered,
      boolean gatewaysReconnected,
      boolean clientReconnected,
      Probes.Fetch pageAfter) {
    /** At least 95% of the pings answered meanwhile, everyone back, and a page after. */
    public boolean passed() {
      return pingsAnswered >= pingsSent * 95 / 100
          && clientReconnected
          && gatewaysReconnected
          && pageAfter.ok();
    }
  }

  public ApiRestart apiNodeRestart() throws Exception {
    int count = 250;
    ManagedProcess ping = probes.startPing(count, 0.1, "ping-api-restart.log");
    Thread.sleep(2000);
    // Both replicas, one after the other, as a rolling update does: first the gateways' API
    // node, then the client's.
    Duration restart = stack.restartOperator(0).plus(stack.restartOperator(1));
    boolean clientBack =
        await(
            Duration.ofSeconds(30),
            () ->
                stack
                    .client()
                    .statusLines("control_channel")
                    .equals(java.util.List.of("connected")));
    boolean gatewaysBack =
        await(
            Duration.ofSeconds(30),
            () ->
                stack.gatewayPods().values().stream()
                    .filter(PodLauncher.Running::alive)
                    .allMatch(
                        p ->
                            Probes.metric(p, "gatehouse_gateway_control_channel_connected", null)
                                == 1.0));
    ping.waitFor(60);
    Probes.PingReplies replies =
        Probes.PingReplies.parse(Files.readString(ping.log(), StandardCharsets.UTF_8));
    return new ApiRestart(
        restart, count, replies.times().size(), gatewaysBack, clientBack, probes.fetch("/", 10));
  }

  // ---------------------------------------------------------------- 4. gateway killed

  public record Failover(
      String killedPod,
      String newPod,
      double secondsToPageThroughOtherGateway,
      Probes.Fetch pageAfter,
      String transferDuringKill,
      String clientStatusAfter,
      Map<String, String> gatewayCounters) {
    /** A page through another gateway within 30 s of the kill. */
    public boolean passed() {
      return pageAfter != null
          && pageAfter.ok()
          && !newPod.equals(killedPod)
          && !newPod.equals("?")
          && secondsToPageThroughOtherGateway < 30;
    }
  }

  public Failover gatewayKilled() throws Exception {
    ManagedProcess transfer =
        ManagedProcess.start(
            "slow download",
            Commands.inNamespace(
                stack.lab().clientNamespace(),
                java.util.List.of(
                    "curl",
                    "-sS",
                    "-o",
                    "/dev/null",
                    "--limit-rate",
                    "1M",
                    "-m",
                    "40",
                    "--speed-limit",
                    "1",
                    "--speed-time",
                    "8",
                    "-w",
                    "%{http_code} %{size_download} bytes\\n",
                    "http://"
                        + stack.lab().resourceAddress()
                        + ":"
                        + ResourceServers.HTTP_PORT
                        + "/file.bin")),
            Map.of(),
            stack.logs().resolve("download-during-kill.log"));
    Thread.sleep(2000);
    String victim = carryingGatewayPod().orElseThrow(() -> new IllegalStateException("no flow"));
    stack.gatewayPods().get(victim).kill();
    long killed = System.nanoTime();
    Probes.Fetch page = null;
    while (System.nanoTime() - killed < Duration.ofSeconds(90).toNanos()) {
      page = probes.fetch("/", 3);
      if (page.ok()) {
        break;
      }
    }
    double seconds = (System.nanoTime() - killed) / 1e9;
    // The status file is rewritten every second: give it that long to name the new gateway.
    await(
        Duration.ofSeconds(5),
        () -> probes.carryingGatewayPod().filter(pod -> !pod.equals(victim)).isPresent());
    String newPod = carryingGatewayPod().orElse("?");
    transfer.waitFor(60);
    String transferResult = Files.readString(transfer.log(), StandardCharsets.UTF_8).strip();
    return new Failover(
        victim, newPod, seconds, page, transferResult, stack.client().status(), counters());
  }

  /** Tunnel counters of every live gateway pod. */
  public Map<String, String> counters() {
    Map<String, String> all = new java.util.TreeMap<>();
    stack
        .gatewayPods()
        .forEach((key, pod) -> all.put(key, pod.alive() ? Probes.counters(pod) : "(not running)"));
    return all;
  }

  // ---------------------------------------------------------------- 5. revocation

  /** The gateway drop reasons of traffic from a client whose access is gone. */
  static final List<String> REVOKED_DROP_REASONS =
      List.of("filtered", "unknown_index", "unknown_peer");

  /**
   * A policy deleted with kubectl while the client pings the resource every 20 ms. The stack's
   * client runs with {@code --ignore-revocations}: it keeps its route and keeps sending, as a
   * misbehaving client would, so what stops the traffic is the gateway.
   *
   * @param commitAfterDelete seconds from running {@code kubectl delete policy} to the operator's
   *     commit of the policy row's deletion
   * @param lastReplyAfterDelete seconds from {@code kubectl delete policy} to the last ping
   *     answered, if any was answered after it
   * @param routeKept the client still routes the resource (it ignored the revocation)
   * @param gatewayDrops datagrams and packets the gateways dropped as unauthorized after the delete
   *     ({@link #REVOKED_DROP_REASONS})
   */
  public record Revocation(
      int repliesBefore,
      Optional<Double> commitAfterDelete,
      Optional<Double> lastReplyAfterDelete,
      long repliesLaterThanOneSecond,
      boolean routeKept,
      double gatewayDrops,
      Probes.Fetch pageAfter) {
    /**
     * Traffic before; the client kept sending, the gateways dropped it, none answered later than 1
     * s after the delete, and no page.
     */
    public boolean passed() {
      return repliesBefore > 0
          && repliesLaterThanOneSecond == 0
          && routeKept
          && gatewayDrops > 0
          && !pageAfter.ok();
    }
  }

  public Revocation revocation() throws Exception {
    ManagedProcess ping = probes.startPing(300, 0.02, "ping-revocation.log");
    Thread.sleep(1500);
    double dropsBefore = revokedDrops();
    double deletedAt = System.currentTimeMillis() / 1000.0;
    UUID policy = stack.deletePolicyWithKubectl();
    Optional<Double> committed = Optional.empty();
    for (int i = 0; i < 100 && committed.isEmpty(); i++) {
      committed = stack.policyDeletedAt(policy);
      if (committed.isEmpty()) {
        Thread.sleep(50);
      }
    }
    ping.waitFor(60);
    boolean routeKept =
        stack.client().statusLines("resource").stream()
            .anyMatch(r -> r.contains(stack.lab().resourceAddress() + "/32"));
    Probes.Fetch pageAfter = probes.fetch("/", 3);
    double drops = revokedDrops() - dropsBefore;
    Probes.PingReplies replies =
        Probes.PingReplies.parse(Files.readString(ping.log(), StandardCharsets.UTF_8));
    int before = (int) (replies.times().size() - replies.countAfter(deletedAt));
    Optional<Double> last =
        replies.times().stream()
            .filter(t -> t > deletedAt)
            .reduce((a, b) -> b)
            .map(t -> t - deletedAt);
    return new Revocation(
        before,
        committed.map(t -> t - deletedAt),
        last,
        replies.countAfter(deletedAt + 1.0),
        routeKept,
        drops,
        pageAfter);
  }

  private double revokedDrops() {
    double sum = 0;
    for (PodLauncher.Running pod : stack.gatewayPods().values()) {
      if (pod.alive()) {
        for (String reason : REVOKED_DROP_REASONS) {
          double v =
              Probes.metric(pod, "gatehouse_gateway_drops_total", "reason=\"" + reason + "\"");
          sum += Double.isNaN(v) ? 0 : v;
        }
      }
    }
    return sum;
  }

  /** A readable line for a fetch. */
  static String describe(Probes.Fetch f) {
    if (f == null) {
      return "no attempt";
    }
    return f.ok()
        ? "HTTP " + f.status() + ", " + f.bytes() + " bytes in " + ms(f.seconds())
        : "failed ("
            + (f.error() == null
                ? "HTTP " + f.status()
                : f.error().lines().reduce((a, b) -> b).orElse(""))
            + ")";
  }

  static String ms(double seconds) {
    return String.format("%.0f ms", seconds * 1000);
  }

  /** Whether a file is readable text; for messages. */
  static String tail(java.nio.file.Path file, int lines) {
    try {
      var all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(" + e.getMessage() + ")";
    }
  }
}
