package dev.gatehouse.operator;

import io.fabric8.kubeapitest.KubeAPIServer;
import io.fabric8.kubeapitest.KubeAPIServerConfigBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real kube-apiserver and etcd for tests, from the binaries {@code e2e/kube/build-binaries.sh}
 * builds. Missing binaries are an error that says how to build them, never a skipped test.
 */
final class RealApiServer implements AutoCloseable {
  private final KubeAPIServer server;
  private final KubernetesClient client;

  private RealApiServer(KubeAPIServer server, KubernetesClient client) {
    this.server = server;
    this.client = client;
  }

  static RealApiServer start() {
    Path binaries =
        Path.of(
            System.getenv()
                .getOrDefault(
                    "KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest"),
            "k8s");
    if (!Files.isDirectory(binaries) || listOrEmpty(binaries).isEmpty()) {
      throw new IllegalStateException(
          "no kube-apiserver binaries under "
              + binaries
              + ": run e2e/kube/build-binaries.sh (needs Go and the Go module proxy) first");
    }
    KubeAPIServer server =
        new KubeAPIServer(
            KubeAPIServerConfigBuilder.anAPIServerConfig()
                .withOfflineMode(true)
                .withUpdateKubeConfig(false)
                .withApiServerFlag("--bind-address", "127.0.0.1")
                .build());
    server.start();
    KubernetesClient client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(server.getKubeConfigYaml()))
            .build();
    return new RealApiServer(server, client);
  }

  KubernetesClient client() {
    return client;
  }

  /** An admin kubeconfig for this server, for tools such as Helm. */
  String kubeConfigYaml() {
    return server.getKubeConfigYaml();
  }

  /** Server-side applies every CRD in {@code crds/} and waits until each is established. */
  void installCrds() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("..", "crds"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yml")).toList()) {
        try (InputStream in = Files.newInputStream(file)) {
          CustomResourceDefinition crd = client.getKubernetesSerialization().unmarshal(in);
          client.resource(crd).forceConflicts().serverSideApply();
          client
              .apiextensions()
              .v1()
              .customResourceDefinitions()
              .withName(crd.getMetadata().getName())
              .waitUntilCondition(
                  c ->
                      c != null
                          && c.getStatus() != null
                          && c.getStatus().getConditions() != null
                          && c.getStatus().getConditions().stream()
                              .anyMatch(
                                  k ->
                                      "Established".equals(k.getType())
                                          && "True".equals(k.getStatus())),
                  30,
                  TimeUnit.SECONDS);
        }
      }
    }
  }

  void createNamespace(String name) {
    client
        .resource(
            new io.fabric8.kubernetes.api.model.NamespaceBuilder()
                .withNewMetadata()
                .withName(name)
                .endMetadata()
                .build())
        .serverSideApply();
  }

  /** Parses a manifest file. */
  HasMetadata load(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return client.getKubernetesSerialization().unmarshal(in);
    }
  }

  private static List<Path> listOrEmpty(Path dir) {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  @Override
  public void close() {
    client.close();
    server.stop();
  }
}
