package dev.gatehouse.operator.bench;

import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewaySpec;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceSpec;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.lang.management.ManagementFactory;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Operator throughput on a real kube-apiserver: N Resources created at once, time until every one
 * reports Ready, beside the time the API server alone needs to accept the N creates (the baseline,
 * measured first in the same run), and the operator's heap after GC.
 *
 * <p>Run: {@code operator/scripts/bench.sh [N]} (default 1000). Prints figures; asserts nothing.
 */
public final class ReconcileBenchmark {
  public static void main(String[] args) throws Exception {
    try {
      run(args.length > 0 ? Integer.parseInt(args[0]) : 1000);
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1); // informer and HTTP client threads would keep a failed run alive
    }
    System.out.flush();
    System.exit(0);
  }

  private static void run(int count) throws Exception {
    try (SharedTestKit.ApiServer api = SharedTestKit.ApiServer.start()) {
      api.installCrds();
      KubernetesClient client = api.client();
      ExecutorService pool = Executors.newFixedThreadPool(16);

      create(client, pool, "baseline", count);
      long baselineStart = System.nanoTime();
      create(client, pool, "baseline2", count);
      double baselineSeconds = (System.nanoTime() - baselineStart) / 1e9;

      long heapBefore = usedHeapAfterGc();
      Operator operator =
          GatehouseOperator.create(
              client,
              // Only the benchmark's namespace: the baseline's Resources are not the operator's.
              new OperatorConfig(
                  java.util.Set.of("bench"),
                  OperatorConfig.DEFAULT_GATEWAY_IMAGE,
                  "ws://gatehouse-api.gatehouse.svc:8080",
                  null,
                  null,
                  "bench",
                  java.time.Duration.ofSeconds(15),
                  true,
                  0),
              ControlPlaneSync.DISCONNECTED,
              Clock.systemUTC());
      operator.start();
      String ns = "bench";
      client
          .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
          .create();
      Gateway gateway = new Gateway();
      gateway.setMetadata(new ObjectMetaBuilder().withName("edge").withNamespace(ns).build());
      gateway.setSpec(new GatewaySpec());
      client.resource(gateway).create();

      long start = System.nanoTime();
      create(client, pool, ns, count);
      long ready;
      do {
        Thread.sleep(200);
        ready =
            client.resources(Resource.class).inNamespace(ns).list().getItems().stream()
                .filter(
                    r ->
                        r.getStatus() != null
                            && r.getStatus()
                                .condition("Ready")
                                .map(c -> "True".equals(c.getStatus()))
                                .orElse(false))
                .count();
      } while (ready < count && System.nanoTime() - start < TimeUnit.MINUTES.toNanos(5));
      double seconds = (System.nanoTime() - start) / 1e9;
      long heapAfter = usedHeapAfterGc();
      System.out.printf(
          "resources=%d ready=%d apiserver-create-only=%.1fs create-to-all-ready=%.1fs rate=%.0f/s"
              + " operator-heap-growth=%.1fMB (%.1fKB per resource)%n",
          count,
          ready,
          baselineSeconds,
          seconds,
          ready / seconds,
          (heapAfter - heapBefore) / 1e6,
          (heapAfter - heapBefore) / 1e3 / count);
      operator.stop();
      pool.shutdownNow();
    }
  }

  private static void create(KubernetesClient client, ExecutorService pool, String ns, int count)
      throws Exception {
    client
        .resource(new NamespaceBuilder().withNewMetadata().withName(ns).endMetadata().build())
        .createOr(n -> n.update());
    var futures = new java.util.ArrayList<java.util.concurrent.Future<?>>();
    for (int i = 0; i < count; i++) {
      int n = i;
      futures.add(
          pool.submit(
              () -> {
                Resource resource = new Resource();
                resource.setMetadata(
                    new ObjectMetaBuilder().withName("r" + n).withNamespace(ns).build());
                ResourceSpec spec = new ResourceSpec();
                spec.setAddress("10." + (n >> 16 & 255) + "." + (n >> 8 & 255) + "." + (n & 255));
                resource.setSpec(spec);
                return client.resource(resource).create();
              }));
    }
    for (var future : futures) {
      future.get();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(100);
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
