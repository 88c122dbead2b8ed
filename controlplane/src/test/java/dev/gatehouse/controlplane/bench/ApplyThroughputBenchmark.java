package dev.gatehouse.controlplane.bench;

import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.InMemoryReplicationSource;
import dev.gatehouse.controlplane.cdc.ReplicationConsumer;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage;
import dev.gatehouse.controlplane.pgoutput.PgOutputMessage.Column;
import dev.gatehouse.controlplane.pgoutput.TupleData;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * The CDC path without the database or the network: pgoutput bytes of flow inserts (as PostgreSQL
 * would send them, 1,000 per transaction) from the in-memory slot through the consumer, decoder,
 * assembler and a gateway cache. Separates our cost from the wire's.
 */
public final class ApplyThroughputBenchmark {

  private ApplyThroughputBenchmark() {}

  public static void main(String[] args) {
    int changes = args.length > 0 ? Integer.parseInt(args[0]) : 200_000;
    int oid = 16_400;
    List<String> names =
        List.of(
            "id",
            "account_id",
            "client_id",
            "gateway_id",
            "resource_id",
            "policy_id",
            "token_id",
            "expires_at",
            "inserted_at");
    InMemoryReplicationSource slot = new InMemoryReplicationSource();
    slot.describe(
        new PgOutputMessage.Relation(
            oid,
            "public",
            "flows",
            'f',
            names.stream().map(n -> new Column(n.equals("id"), n, 2950, -1)).toList()));
    UUID gateway = UUID.randomUUID();
    String account = UUID.randomUUID().toString();
    List<String> clients = new ArrayList<>();
    List<String> resources = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      clients.add(UUID.randomUUID().toString());
      resources.add(UUID.randomUUID().toString());
    }
    List<PgOutputMessage> txn = new ArrayList<>();
    for (int i = 0; i < changes; i++) {
      txn.add(
          new PgOutputMessage.Insert(
              oid,
              TupleData.ofText(
                  UUID.randomUUID().toString(),
                  account,
                  clients.get(i % 100),
                  gateway.toString(),
                  resources.get((i / 100) % 100),
                  UUID.randomUUID().toString(),
                  null,
                  "2026-11-28 19:"
                      + String.format("%02d:%02d", (i / 60) % 60, i % 60)
                      + "."
                      + (i % 1000)
                      + "+00",
                  "2026-11-28 18:00:00.123456+00")));
      if (txn.size() == 1000) {
        slot.commit(Instant.now(), txn);
        txn = new ArrayList<>();
      }
    }
    if (!txn.isEmpty()) {
      slot.commit(Instant.now(), txn);
    }
    GatewayCache cache = GatewayCache.empty(gateway, Version.parse("1.4.0"), FlowReauthorizer.NONE);
    AtomicLong applied = new AtomicLong();
    long[] firstLast = new long[2];
    try (ReplicationConsumer consumer =
        new ReplicationConsumer(
                slot,
                change -> {
                  if (firstLast[0] == 0) {
                    firstLast[0] = System.nanoTime();
                  }
                  cache.apply(change, Instant.EPOCH);
                  applied.incrementAndGet();
                  firstLast[1] = System.nanoTime();
                },
                new ReplicationMetrics(Duration.ofSeconds(600)),
                InstantSource.system(),
                Duration.ofSeconds(1))
            .start()) {
      while (applied.get() < changes) {
        LockSupport.parkNanos(1_000_000);
      }
    }
    double seconds = (firstLast[1] - firstLast[0]) / 1e9;
    System.out.printf(
        "in-memory slot -> decode -> assemble -> gateway cache: %d flow inserts in %.2f s = %.0f changes/s (%d pairs)%n",
        changes, seconds, changes / seconds, cache.pairCount());
  }
}
