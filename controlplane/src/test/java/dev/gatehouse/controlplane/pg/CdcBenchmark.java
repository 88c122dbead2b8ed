package dev.gatehouse.controlplane.pg;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientDelta;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.GatewayDelta;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.ChangeSink;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.testing.Fixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * CDC figures against the real database (e2e/scripts/postgres.sh start):
 *
 * <ol>
 *   <li>apply throughput: a backlog of flow inserts (then of policy updates) is written while no
 *       consumer runs; the consumer then drains it through pgoutput decoding, change assembly and
 *       cache application (one client cache and one gateway cache owner). Changes per second from
 *       the first to the last applied change.
 *   <li>commit→delta latency under a steady write load: single-row flow updates committed at a
 *       fixed rate; time from just before the statement (autocommit) to the gateway delta.
 *   <li>revocation: soft-deleting a policy (the trigger deletes its flow) → {@code reject_access}.
 * </ol>
 */
public final class CdcBenchmark {

  private CdcBenchmark() {}

  public static void main(String[] args) throws Exception {
    int flowBacklog = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    int latencyCommits = args.length > 1 ? Integer.parseInt(args[1]) : 3_000;
    int ratePerSecond = args.length > 2 ? Integer.parseInt(args[2]) : 500;
    DatabaseConfig db = TestDatabase.migrated();
    PgReplicationSource source = TestDatabase.uniqueSource();
    try (Fixtures f = new Fixtures(db)) {
      UUID actor = f.actor();
      UUID group = f.group();
      f.membership(actor, group);
      UUID client = f.client(actor, "1.4.0");
      UUID site = f.site();
      UUID gateway = f.gateway(site);
      List<UUID> resources = new ArrayList<>();
      List<UUID> policies = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        UUID r = f.resource("10.9." + (i / 250) + "." + (i % 250));
        f.connect(r, site);
        resources.add(r);
        policies.add(f.policy(group, r));
      }
      source.open(0).close(); // creates publication and slot: from here on changes are retained

      // 1. Throughput: flow inserts, spread over 10 clients x 100 resources.
      List<UUID> clients = new ArrayList<>(List.of(client));
      for (int i = 1; i < 10; i++) {
        clients.add(f.client(actor, "1.4.0"));
      }
      try (Connection c = db.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "INSERT INTO flows (id, account_id, client_id, gateway_id, resource_id, policy_id, expires_at)"
                      + " SELECT gen_random_uuid(), ?, (?::uuid[])[1 + (n % 10)], ?, (?::uuid[])[1 + (n / 10) % 100],"
                      + " (?::uuid[])[1 + (n / 10) % 100], now() + interval '1 hour' + n * interval '1 ms'"
                      + " FROM generate_series(?, ?) AS n")) {
        for (int start = 0; start < flowBacklog; start += 1000) {
          ps.setObject(1, f.account);
          ps.setArray(2, c.createArrayOf("uuid", clients.toArray()));
          ps.setObject(3, gateway);
          ps.setArray(4, c.createArrayOf("uuid", resources.toArray()));
          ps.setArray(5, c.createArrayOf("uuid", policies.toArray()));
          ps.setInt(6, start);
          ps.setInt(7, Math.min(flowBacklog, start + 1000) - 1);
          ps.executeUpdate();
        }
      }
      CacheRepository repo = new CacheRepository(db);
      Instant now = Instant.now();
      ClientCache clientCache =
          ClientCache.fromSnapshot(repo.loadClient(client, null).orElseThrow(), null, now);
      GatewayCache gatewayCache =
          GatewayCache.fromFlows(
              gateway, Version.parse("1.4.0"), List.of(), now, FlowReauthorizer.NONE);
      TimedSink sink = new TimedSink(clientCache, gatewayCache);
      drain(source, sink, flowBacklog, "flow inserts (gateway cache)");
      System.out.printf("  gateway cache now holds %d pairs%n", gatewayCache.pairCount());

      // 1b. Throughput: policy updates (each re-evaluates one resource in the client cache).
      int policyUpdates = flowBacklog / 5;
      try (Connection c = db.connect();
          PreparedStatement ps =
              c.prepareStatement(
                  "UPDATE policies SET description = ? WHERE id = ANY (?::uuid[])")) {
        for (int i = 0; i < policyUpdates / policies.size(); i++) {
          ps.setString(1, "rev " + i);
          ps.setArray(2, c.createArrayOf("uuid", policies.toArray()));
          ps.executeUpdate();
        }
      }
      // The policy updates also fire the flow-revocation trigger? No: description is not a
      // breaking column, so only policy changes are streamed.
      TimedSink sink2 = new TimedSink(clientCache, gatewayCache);
      drain(source, sink2, policyUpdates, "policy updates (client cache)");

      // 2 and 3. Latency under steady load.
      UUID latencyFlow =
          f.flow(client, gateway, resources.getFirst(), policies.getFirst(), now.plusSeconds(7200));
      UUID revokeGroup = f.group();
      f.membership(actor, revokeGroup);
      List<UUID[]> revocable = new ArrayList<>();
      for (int i = 0; i < 200; i++) {
        UUID r = f.resource("10.8." + (i / 250) + "." + (i % 250));
        f.connect(r, site);
        UUID p = f.policy(revokeGroup, r);
        f.flow(client, gateway, r, p, now.plusSeconds(7200));
        revocable.add(new UUID[] {r, p});
      }
      GatewayCache live =
          GatewayCache.fromFlows(
              gateway,
              Version.parse("1.4.0"),
              repo.loadGatewayFlows(gateway, Instant.now()),
              Instant.now(),
              FlowReauthorizer.NONE);
      Map<Long, Long> sentAt = new ConcurrentHashMap<>();
      Map<UUID, Long> revokedAt = new ConcurrentHashMap<>();
      Histogram commitToDelta = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
      Histogram revocation = new Histogram(TimeUnit.SECONDS.toMicros(10), 3);
      ChangeSink latencySink =
          change -> {
            for (GatewayDelta d : live.apply(change, Instant.now())) {
              long t = System.nanoTime();
              switch (d) {
                case GatewayDelta.AccessAuthorizationExpiryUpdated u -> {
                  Long start = sentAt.remove(u.expiresAt().toEpochMilli());
                  if (start != null) {
                    commitToDelta.recordValue(Math.max(0, (t - start) / 1000));
                  }
                }
                case GatewayDelta.RejectAccess r -> {
                  Long start = revokedAt.remove(r.resourceId());
                  if (start != null) {
                    revocation.recordValue(Math.max(0, (t - start) / 1000));
                  }
                }
                default -> {}
              }
            }
          };
      ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(60));
      try (ReplicationConsumer consumer =
              new ReplicationConsumer(
                      source, latencySink, metrics, InstantSource.system(), Duration.ofSeconds(1))
                  .start();
          Connection c = db.connect();
          PreparedStatement update =
              c.prepareStatement("UPDATE flows SET expires_at = ? WHERE id = ?");
          PreparedStatement revoke =
              c.prepareStatement("UPDATE policies SET deleted_at = now() WHERE id = ?")) {
        while (!source.slotActive()) {
          LockSupport.parkNanos(10_000_000);
        }
        LockSupport.parkNanos(500_000_000); // let it reach the end of the backlog
        long interval = 1_000_000_000L / ratePerSecond;
        long next = System.nanoTime();
        Instant base = now.plusSeconds(10_000);
        int revokeEvery = Math.max(1, latencyCommits / revocable.size());
        int revoked = 0;
        for (int i = 0; i < latencyCommits; i++) {
          next += interval;
          while (System.nanoTime() < next) {
            LockSupport.parkNanos(Math.max(1, next - System.nanoTime()));
          }
          Instant expiry = base.plusMillis(i + 1);
          update.setObject(1, OffsetDateTime.ofInstant(expiry, ZoneOffset.UTC));
          update.setObject(2, latencyFlow);
          sentAt.put(expiry.toEpochMilli(), System.nanoTime());
          update.executeUpdate();
          if (i % revokeEvery == 0 && revoked < revocable.size()) {
            UUID[] rp = revocable.get(revoked++);
            revokedAt.put(rp[0], System.nanoTime());
            revoke.setObject(1, rp[1]);
            revoke.executeUpdate();
          }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while ((!sentAt.isEmpty() || !revokedAt.isEmpty()) && System.nanoTime() < deadline) {
          LockSupport.parkNanos(10_000_000);
        }
        System.out.printf(
            "commit->delta (flow expiry update -> access_authorization_expiry_updated), %d commits at %d/s, %d missing:%n",
            latencyCommits, ratePerSecond, sentAt.size());
        print(commitToDelta);
        System.out.printf(
            "revocation (policy soft delete -> trigger deletes flow -> reject_access), %d revocations, %d missing:%n",
            revoked, revokedAt.size());
        print(revocation);
        System.out.printf(
            "lag at end: %d bytes, %d ms; stale changes dropped: %d%n",
            metrics.lagBytes(), metrics.lagMillis(), live.droppedChanges());
      }
    } finally {
      for (int i = 0; i < 100 && source.slotActive(); i++) {
        LockSupport.parkNanos(100_000_000);
      }
      source.dropSlotAndPublication();
    }
  }

  private static void print(Histogram h) {
    System.out.printf(
        "  p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, p99.9 %.2f ms, max %.2f ms (n=%d)%n",
        h.getValueAtPercentile(50) / 1000.0,
        h.getValueAtPercentile(90) / 1000.0,
        h.getValueAtPercentile(99) / 1000.0,
        h.getValueAtPercentile(99.9) / 1000.0,
        h.getMaxValue() / 1000.0,
        h.getTotalCount());
  }

  private static void drain(PgReplicationSource source, TimedSink sink, int expected, String label)
      throws Exception {
    ReplicationMetrics metrics = new ReplicationMetrics(Duration.ofSeconds(600));
    try (ReplicationConsumer consumer =
        new ReplicationConsumer(
                source, sink, metrics, InstantSource.system(), Duration.ofSeconds(1))
            .start()) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (sink.count.get() < expected && System.nanoTime() < deadline) {
        LockSupport.parkNanos(5_000_000);
      }
      double seconds = (sink.last - sink.first) / 1e9;
      System.out.printf(
          "%s: %d changes applied in %.2f s = %.0f changes/s (%d client deltas, %d gateway deltas)%n",
          label,
          sink.count.get(),
          seconds,
          sink.count.get() / seconds,
          sink.clientDeltas.get(),
          sink.gatewayDeltas.get());
      // Wait until the last transaction is acknowledged, so the next phase starts after it.
      while (metrics.lagBytes() > 0 && System.nanoTime() < deadline) {
        LockSupport.parkNanos(50_000_000);
      }
    }
  }

  /** Applies changes to both caches and notes when the first and the last arrived. */
  private static final class TimedSink implements ChangeSink {
    private final ClientCache client;
    private final GatewayCache gateway;
    final AtomicLong count = new AtomicLong();
    final AtomicLong clientDeltas = new AtomicLong();
    final AtomicLong gatewayDeltas = new AtomicLong();
    volatile long first;
    volatile long last;

    TimedSink(ClientCache client, GatewayCache gateway) {
      this.client = client;
      this.gateway = gateway;
    }

    @Override
    public void accept(Change<?> change) {
      if (first == 0) {
        first = System.nanoTime();
      }
      Instant now = Instant.now();
      List<ClientDelta> c = client.apply(change, now);
      List<GatewayDelta> g = gateway.apply(change, now);
      clientDeltas.addAndGet(c.size());
      gatewayDeltas.addAndGet(g.size());
      count.incrementAndGet();
      last = System.nanoTime();
    }
  }
}
