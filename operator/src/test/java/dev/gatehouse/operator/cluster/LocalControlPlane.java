package dev.gatehouse.operator.cluster;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * etcd + kube-apiserver + kube-controller-manager on loopback through {@code
 * e2e/kube/apiserver.sh}, in a state dir and on ports of the tests' own, so that it never touches
 * the demo's cluster. Unlike kube-api-test it runs the controller manager: Deployments get
 * ReplicaSets and ownerReference garbage collection happens. {@link #close()} stops the three
 * processes and deletes the state dir ({@code apiserver.sh reset}).
 */
final class LocalControlPlane implements AutoCloseable {
  static final Path SCRIPT = Path.of("..", "e2e", "kube", "apiserver.sh");
  static final Path STATE_DIR = Path.of("/var/tmp/gatehouse-it-kube");
  static final int APISERVER_PORT = 18443;
  static final int ETCD_PORT = 14379;
  static final int CONTROLLER_MANAGER_PORT = 22257;

  private final KubernetesClient client;

  private LocalControlPlane(KubernetesClient client) {
    this.client = client;
  }

  /** Resets any leftover state dir, then starts; fails with the script's output if it cannot. */
  static LocalControlPlane start() throws IOException, InterruptedException {
    if (!Files.isRegularFile(SCRIPT)) {
      throw new IllegalStateException("no " + SCRIPT.toAbsolutePath().normalize());
    }
    run("reset");
    try {
      run("start");
      String kubeconfig = Files.readString(STATE_DIR.resolve("kubeconfig"), StandardCharsets.UTF_8);
      return new LocalControlPlane(
          new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build());
    } catch (IOException | RuntimeException e) {
      run("reset");
      throw e;
    }
  }

  KubernetesClient client() {
    return client;
  }

  private static String run(String command) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(List.of("bash", SCRIPT.toString(), command)).redirectErrorStream(true);
    builder.environment().put("GATEHOUSE_KUBE_DIR", STATE_DIR.toString());
    builder.environment().put("GATEHOUSE_KUBE_APISERVER_PORT", String.valueOf(APISERVER_PORT));
    builder.environment().put("GATEHOUSE_KUBE_ETCD_PORT", String.valueOf(ETCD_PORT));
    builder.environment().put("GATEHOUSE_KUBE_KCM_PORT", String.valueOf(CONTROLLER_MANAGER_PORT));
    Process process = builder.start();
    byte[] output = process.getInputStream().readAllBytes();
    if (!process.waitFor(5, TimeUnit.MINUTES)) {
      process.destroy();
      throw new IllegalStateException("apiserver.sh " + command + " did not finish in 5 minutes");
    }
    String text = new String(output, StandardCharsets.UTF_8);
    if (process.exitValue() != 0) {
      throw new IllegalStateException(
          "e2e/kube/apiserver.sh "
              + command
              + " failed (exit "
              + process.exitValue()
              + "; it needs the binaries from e2e/kube/build-binaries.sh, openssl and curl, and"
              + " free loopback ports "
              + APISERVER_PORT
              + ", "
              + ETCD_PORT
              + "-"
              + (ETCD_PORT + 1)
              + ", "
              + CONTROLLER_MANAGER_PORT
              + "):\n"
              + text);
    }
    return text;
  }

  @Override
  public void close() throws IOException, InterruptedException {
    client.close();
    run("reset");
  }
}
