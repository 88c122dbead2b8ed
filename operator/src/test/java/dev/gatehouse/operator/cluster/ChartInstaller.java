package dev.gatehouse.operator.cluster;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Installs a {@link RenderedChart} the way {@code helm install} would (CRDs first, then the rest,
 * by server-side apply), and builds clients that act as the chart's ServiceAccount.
 */
final class ChartInstaller {
  private ChartInstaller() {}

  /** Server-side dry-runs every object, then applies them; returns what the server stored. */
  static List<HasMetadata> install(KubernetesClient admin, RenderedChart chart) {
    List<HasMetadata> ordered =
        chart.objects().stream()
            .sorted(Comparator.comparing(o -> o instanceof CustomResourceDefinition ? 0 : 1))
            .toList();
    for (HasMetadata object : ordered) {
      if (!(object instanceof CustomResourceDefinition)) {
        continue;
      }
      admin.resource(object).fieldManager("helm").forceConflicts().serverSideApply();
      awaitEstablished(admin, object.getMetadata().getName());
    }
    for (HasMetadata object : ordered) {
      admin.resource(object).dryRun().fieldManager("helm").forceConflicts().serverSideApply();
    }
    return ordered.stream()
        .map(o -> admin.resource(o).fieldManager("helm").forceConflicts().serverSideApply())
        .toList();
  }

  static void awaitEstablished(KubernetesClient admin, String crd) {
    admin
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
            30,
            TimeUnit.SECONDS);
  }

  /**
   * A client that the API server treats as ServiceAccount {@code namespace/name} (impersonated by
   * the admin), with the groups a ServiceAccount token carries, so RBAC decides exactly as for the
   * operator's pod. Close it when done.
   */
  static KubernetesClient clientAs(KubernetesClient admin, String namespace, String name) {
    Config config =
        new ConfigBuilder(admin.getConfiguration())
            .withImpersonateUsername("system:serviceaccount:" + namespace + ":" + name)
            .withImpersonateGroups(
                "system:serviceaccounts",
                "system:serviceaccounts:" + namespace,
                "system:authenticated")
            .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /** Another admin client, so that closing one operator's client leaves the others alone. */
  static KubernetesClient copyOf(KubernetesClient admin) {
    return new KubernetesClientBuilder()
        .withConfig(new ConfigBuilder(admin.getConfiguration()).build())
        .build();
  }
}
