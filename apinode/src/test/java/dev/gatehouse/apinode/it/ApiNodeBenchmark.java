package dev.gatehouse.apinode.it;

import dev.gatehouse.apinode.ApiSchema;
import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.testing.Fixtures;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * The API node figures of BENCHMARKS.md: connected client channels per replica (heap, RSS and CPU
 * of the node process per channel) and revocation latency under load (policy delete committed →
 * {@code reject_access} at the gateway and {@code resource_deleted} at the client), with every
 * connected client in the same account (so every policy change fans out to all their caches) and
 * background flow churn. Peers are real WebSocket clients in this JVM; the node runs in its own
 * process ({@link BenchServer}). Usage: {@code apinode/scripts/bench.sh [clients] [revocations]}.
 */
public final class ApiNodeBenchmark {

  private static final Map<String, CompletableFuture<Long>> ARRIVALS = new ConcurrentHashMap<>();

  private static CompletableFuture<Long> arrival(String key) {
    return ARRIVALS.computeIfAbsent(key, k -> new CompletableFuture<>());
  }

  public static void main(String[] args) throws Exception {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 2_000;
    int revocations = args.length > 1 ? Integer.parseInt(args[1]) : 200;
    int churners = Math.min(20, clients);
    int resources = 10;
    DatabaseConfig db = DatabaseConfig.fromEnvironment();
    ApiSchema.migrate(db);
    Fixtures f = new Fixtures(db);
    UUID site = f.site();
    UUID group = f.group();
    List<UUID> resourceIds = new ArrayList<>();
    for (int i = 0; i < resources; i++) {
      UUID r = f.resource("10.30.0." + (i + 1), Fixtures.TCP_443);
      f.connect(r, site);
      f.policy(group, r, "[]");
      resourceIds.add(r);
    }
    Fixtures.Token siteToken = f.siteToken(site);
    int perActor = 100;
    List<Fixtures.Token> tokens = new ArrayList<>();
    for (int a = 0; a < (clients + perActor - 1) / perActor; a++) {
      UUID actor = f.actor();
      f.membership(actor, group);
      tokens.add(f.clientToken(actor, Instant.now().plus(Duration.ofDays(1))));
    }
    // The measured client: its own actor and group, so each revocation concerns only it.
    UUID measuredActor = f.actor();
    UUID measuredGroup = f.group();
    f.membership(measuredActor, group);
    f.membership(measuredActor, measuredGroup);
    Fixtures.Token measuredToken =
        f.clientToken(measuredActor, Instant.now().plus(Duration.ofDays(1)));

    Process server =
        new ProcessBuilder(
                System.getProperty("java.home") + "/bin/java",
                "-Xmx2g",
                "-XX:+UseSerialGC",
                "--enable-native-access=ALL-UNNAMED",
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp",
                System.getProperty("java.class.path"),
                BenchServer.class.getName(),
                f.account.toString(),
                "bench-" + UUID.randomUUID().toString().substring(0, 8))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream()));
    PrintWriter cmd = new PrintWriter(server.getOutputStream(), true);
    int port = -1;
    String line;
    while ((line = out.readLine()) != null) {
      if (line.startsWith("PORT ")) {
        port = Integer.parseInt(line.substring(5));
        break;
      }
    }
    if (port < 0) {
      throw new IllegalStateException("bench server did not start");
    }
    final int p = port;
    try {
      Stats base = stats(cmd, out);
      System.out.println("baseline: " + base.line);

      // The gateway answers every authorize_flow at once and timestamps reject_access.
      WsPeer<GatewayOutbound> gw =
          WsPeer.connect(
              p,
              "/gateway/websocket",
              WsPeer.query("bench-gw", "gwpk", Harness.VERSION, "&endpoint=192.0.2.10:51820"),
              siteToken.secret(),
              Direction.GATEWAY_OUTBOUND);
      gw.await(GatewayOutbound.Init.class);
      var replies = Executors.newSingleThreadExecutor();
      gw.tap(
          (e, t) ->
              switch (e.payload()) {
                case GatewayOutbound.AuthorizeFlow af -> {
                  replies.execute(
                      () ->
                          gw.send(Envelope.of(null, new GatewayInbound.FlowAuthorized(af.ref()))));
                  yield true;
                }
                case GatewayOutbound.RejectAccess r -> {
                  arrival("reject " + r.clientId() + " " + r.resourceId()).complete(t);
                  yield true;
                }
                default -> false;
              });

      // Connect the clients, 64 joins in flight; everyone pings every 20 s like a real peer.
      List<WsPeer<ClientOutbound>> peers = new ArrayList<>();
      AtomicBoolean running = new AtomicBoolean(true);
      Thread pinger =
          Thread.ofVirtual()
              .start(
                  () -> {
                    while (running.get()) {
                      LockSupportSleep.seconds(20);
                      List<WsPeer<ClientOutbound>> snapshot;
                      synchronized (peers) {
                        snapshot = List.copyOf(peers);
                      }
                      snapshot.forEach(WsPeer::ping);
                      gw.ping();
                    }
                  });
      Semaphore inFlight = new Semaphore(64);
      long joinStart = System.nanoTime();
      AtomicLong failures = new AtomicLong();
      try (var exec = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < clients; i++) {
          int n = i;
          inFlight.acquire();
          exec.execute(
              () -> {
                try {
                  WsPeer<ClientOutbound> c =
                      WsPeer.connect(
                          p,
                          "/client/websocket",
                          WsPeer.query("dev-" + n, "cpk-" + n, Harness.VERSION, null),
                          tokens.get(n / perActor).secret(),
                          Direction.CLIENT_OUTBOUND);
                  c.await(ClientOutbound.Init.class, x -> true, Duration.ofSeconds(120));
                  c.tap((e, t) -> true); // discard pushes from here on
                  synchronized (peers) {
                    peers.add(c);
                  }
                } catch (Throwable e) {
                  failures.incrementAndGet();
                } finally {
                  inFlight.release();
                }
              });
        }
      }
      double joinSeconds = (System.nanoTime() - joinStart) / 1e9;
      Stats joined = stats(cmd, out);
      System.out.printf(
          "joined %d clients (%d failed) in %.1f s (%.0f joins/s)%n  %s%n",
          peers.size(), failures.get(), joinSeconds, peers.size() / joinSeconds, joined.line);
      int n = Math.max(1, joined.clients - base.clients);
      System.out.printf(
          "per client channel: heap %.1f KB, RSS %.1f KB, join CPU %.2f ms%n",
          (joined.heap - base.heap) / 1024.0 / n,
          (joined.rssKb - base.rssKb) / (double) n,
          (joined.cpuNs - base.cpuNs) / 1e6 / n);
      Stats idleStart = stats(cmd, out);
      LockSupportSleep.seconds(10);
      Stats idleEnd = stats(cmd, out);
      System.out.printf(
          "idle CPU with %d channels: %.2f %% of one core%n",
          idleEnd.clients, (idleEnd.cpuNs - idleStart.cpuNs) / 1e7 / 10.0 * 1.0);

      // Background churn: some clients keep asking for flows.
      AtomicBoolean churn = new AtomicBoolean(true);
      AtomicLong churned = new AtomicLong();
      List<Thread> churnThreads = new ArrayList<>();
      for (int i = 0; i < churners && i < peers.size(); i++) {
        WsPeer<ClientOutbound> c = peers.get(i);
        UUID r = resourceIds.get(i % resources);
        c.tap(
            (e, t) -> {
              if (e.payload() instanceof ClientOutbound.FlowCreated) {
                churned.incrementAndGet();
              }
              return true;
            });
        churnThreads.add(
            Thread.ofVirtual()
                .start(
                    () -> {
                      int k = 0;
                      while (churn.get()) {
                        c.send(Envelope.of("c" + k++, new ClientInbound.CreateFlow(r, List.of())));
                        LockSupportSleep.millis(200);
                      }
                    }));
      }

      WsPeer<ClientOutbound> measured =
          WsPeer.connect(
              p,
              "/client/websocket",
              WsPeer.query("measured", "cpk-measured", Harness.VERSION, null),
              measuredToken.secret(),
              Direction.CLIENT_OUTBOUND);
      UUID measuredId = measured.await(ClientOutbound.Init.class).payload().clientId();
      measured.tap(
          (e, t) -> {
            if (e.payload() instanceof ClientOutbound.ResourceDeleted d) {
              arrival("deleted " + measuredId + " " + d.id()).complete(t);
              return true;
            }
            return false;
          });
      Histogram gwHist = new Histogram(60_000_000_000L, 3);
      Histogram clientHist = new Histogram(60_000_000_000L, 3);
      Histogram bothHist = new Histogram(60_000_000_000L, 3);
      long churnBefore = churned.get();
      long revStart = System.nanoTime();
      for (int i = 0; i < revocations; i++) {
        UUID r = f.resource("10.40." + (i / 250) + "." + (i % 250 + 1), Fixtures.TCP_443);
        f.connect(r, site);
        UUID policy = f.policy(measuredGroup, r, "[]");
        measured.await(
            ClientOutbound.ResourceCreatedOrUpdated.class,
            x -> x.resource().id().equals(r),
            Duration.ofSeconds(30));
        measured.send(Envelope.of("m" + i, new ClientInbound.CreateFlow(r, List.of())));
        measured.await(ClientOutbound.FlowCreated.class, x -> true, Duration.ofSeconds(30));
        long t0 = System.nanoTime();
        f.deletePolicy(policy);
        long g = arrival("reject " + measuredId + " " + r).get(30, TimeUnit.SECONDS) - t0;
        long c = arrival("deleted " + measuredId + " " + r).get(30, TimeUnit.SECONDS) - t0;
        gwHist.recordValue(g);
        clientHist.recordValue(c);
        bothHist.recordValue(Math.max(g, c));
      }
      double revSeconds = (System.nanoTime() - revStart) / 1e9;
      churn.set(false);
      for (Thread t : churnThreads) {
        t.join();
      }
      System.out.printf(
          "revocation latency, %d revocations, %d connected clients in the account, %d churning"
              + " (%.0f flows/s in the background):%n",
          revocations, peers.size() + 1, churners, (churned.get() - churnBefore) / revSeconds);
      print("  reject_access at gateway ", gwHist);
      print("  resource_deleted at client", clientHist);
      print("  both                      ", bothHist);
      System.out.println("final: " + stats(cmd, out).line);
      System.out.println(
          "client peers closed by the node during the run: "
              + peers.stream().filter(WsPeer::isClosed).count());
      running.set(false);
      pinger.interrupt();
      for (var c : peers) {
        c.close();
      }
      measured.close();
      gw.close();
      replies.shutdown();
    } finally {
      cmd.println("quit");
      server.waitFor(30, TimeUnit.SECONDS);
      server.destroy();
      f.close();
    }
  }

  private static void print(String what, Histogram h) {
    System.out.printf(
        "%s p50 %.1f ms, p90 %.1f ms, p99 %.1f ms, max %.1f ms%n",
        what,
        h.getValueAtPercentile(50) / 1e6,
        h.getValueAtPercentile(90) / 1e6,
        h.getValueAtPercentile(99) / 1e6,
        h.getMaxValue() / 1e6);
  }

  private record Stats(String line, long heap, long rssKb, long cpuNs, int clients) {}

  private static Stats stats(PrintWriter cmd, BufferedReader out) throws Exception {
    cmd.println("stats");
    String line;
    while ((line = out.readLine()) != null && !line.startsWith("STATS ")) {
      // skip other output
    }
    if (line == null) {
      throw new IllegalStateException("bench server exited");
    }
    Map<String, String> kv = new java.util.HashMap<>();
    for (String part : line.substring(6).split(" ")) {
      int eq = part.indexOf('=');
      if (eq > 0) {
        kv.put(part.substring(0, eq), part.substring(eq + 1));
      }
    }
    return new Stats(
        line,
        Long.parseLong(kv.get("heap")),
        Long.parseLong(kv.get("rss")),
        Long.parseLong(kv.get("cpu")),
        Integer.parseInt(kv.get("clients")));
  }

  /** Pauses of the load generator (not a test wait). */
  private static final class LockSupportSleep {
    static void seconds(int s) {
      millis(s * 1000L);
    }

    static void millis(long ms) {
      java.util.concurrent.locks.LockSupport.parkNanos(ms * 1_000_000L);
    }
  }
}
