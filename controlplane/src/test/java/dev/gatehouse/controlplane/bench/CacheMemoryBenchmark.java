package dev.gatehouse.controlplane.bench;

import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Row;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.function.IntFunction;

/**
 * Retained heap per cache at Firezone's reference shapes, slim versus naive, in one run.
 *
 * <p>Method: build N instances (each from its own freshly generated rows, which become garbage once
 * the cache is built), keep them reachable, and divide the growth of heap used after full GCs by N.
 * Run with a serial collector so "used after GC" is exact:
 *
 * <pre>java -XX:+UseSerialGC -Xmx3g -cp ... dev.gatehouse.controlplane.bench.CacheMemoryBenchmark
 * </pre>
 */
public final class CacheMemoryBenchmark {

  private CacheMemoryBenchmark() {}

  public static void main(String[] args) {
    int clients = args.length > 0 ? Integer.parseInt(args[0]) : 200;
    int gateways = args.length > 1 ? Integer.parseInt(args[1]) : 4;
    Instant now = Instant.parse("2026-11-25T10:00:00Z");
    // Warm up class loading and the shared filter pool outside the measurement.
    ClientCache.fromSnapshot(ReferenceShape.client(-1), null, now);
    NaiveCaches.client(ReferenceShape.client(-2));

    ClientCache sample = ClientCache.fromSnapshot(ReferenceShape.client(7), null, now);
    System.out.printf(
        "client shape: %d policies, %d resources, %d memberships, %d connectable%n",
        sample.policyCount(),
        sample.resourceCount(),
        sample.membershipCount(),
        sample.connectable().size());

    double slimClient =
        perInstance(clients, i -> ClientCache.fromSnapshot(ReferenceShape.client(i), null, now));
    double naiveClient = perInstance(clients, i -> NaiveCaches.client(ReferenceShape.client(i)));
    System.out.printf(
        "client cache: slim %.1f KB, naive %.1f KB, ratio %.1fx (n=%d)%n",
        slimClient / 1024, naiveClient / 1024, naiveClient / slimClient, clients);

    double slimGateway =
        perInstance(
            gateways,
            i -> {
              UUID g = UUID.randomUUID();
              List<Row.Flow> flows = ReferenceShape.gatewayFlows(g, now);
              return GatewayCache.fromFlows(
                  g, Version.parse("1.4.0"), flows, now, FlowReauthorizer.NONE);
            });
    double naiveGateway =
        perInstance(
            gateways,
            i -> NaiveCaches.gateway(ReferenceShape.gatewayFlows(UUID.randomUUID(), now)));
    System.out.printf(
        "gateway cache (%d pairs x %d flows): slim %.2f MB, naive %.2f MB, ratio %.1fx (n=%d)%n",
        ReferenceShape.PAIRS,
        ReferenceShape.FLOWS_PER_PAIR,
        slimGateway / (1 << 20),
        naiveGateway / (1 << 20),
        naiveGateway / slimGateway,
        gateways);
  }

  private static double perInstance(int n, IntFunction<Object> build) {
    Object[] keep = new Object[n];
    long before = usedAfterGc();
    for (int i = 0; i < n; i++) {
      keep[i] = build.apply(i);
    }
    long after = usedAfterGc();
    double per = (after - before) / (double) n;
    if (keep[n - 1] == null) {
      throw new IllegalStateException();
    }
    return per;
  }

  private static long usedAfterGc() {
    var memory = ManagementFactory.getMemoryMXBean();
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 4; i++) {
      System.gc();
      used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
