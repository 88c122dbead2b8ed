package dev.gatehouse.e2e.kubelet;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * etcd + kube-apiserver + kube-controller-manager from {@code e2e/kube/apiserver.sh}, in a state
 * dir and on loopback ports of the caller's choosing; {@link #close()} stops them and removes the
 * state ({@code apiserver.sh reset}).
 */
public final class KubeControlPlane implements AutoCloseable {
  private final Path repository;
  private final Path state;
  private final int basePort;
  private final KubernetesClient client;

  private KubeControlPlane(Path repository, Path state, int basePort)
      throws IOException, InterruptedException {
    this.repository = repository;
    this.state = state;
    this.basePort = basePort;
    try {
      script("start");
    } catch (IllegalStateException e) {
      script("reset"); // stop whatever did start, so a failed start leaves nothing running
      throw e;
    }
    String kubeconfig = Files.readString(state.resolve("kubeconfig"), StandardCharsets.UTF_8);
    this.client =
        new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kubeconfig)).build();
  }

  /**
   * Starts the control plane; {@code basePort} + 0 is the API server, + 1 etcd (+ 2 its peer port),
   * + 3 the controller manager.
   */
  public static KubeControlPlane start(Path repository, Path state, int basePort)
      throws IOException, InterruptedException {
    return new KubeControlPlane(repository, state, basePort);
  }

  public KubernetesClient client() {
    return client;
  }

  private void script(String command) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder("bash", repository.resolve("e2e/kube/apiserver.sh").toString(), command)
            .redirectErrorStream(true);
    builder.environment().put("GATEHOUSE_KUBE_DIR", state.toString());
    builder.environment().put("GATEHOUSE_KUBE_APISERVER_PORT", Integer.toString(basePort));
    builder.environment().put("GATEHOUSE_KUBE_ETCD_PORT", Integer.toString(basePort + 1));
    builder.environment().put("GATEHOUSE_KUBE_KCM_PORT", Integer.toString(basePort + 3));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException(
          "e2e/kube/apiserver.sh "
              + command
              + " failed (it needs the binaries of"
              + " e2e/kube/build-binaries.sh):\n"
              + output);
    }
  }

  @Override
  public void close() {
    client.close();
    try {
      script("reset");
    } catch (IOException | InterruptedException e) {
      throw new IllegalStateException("stopping the control plane", e);
    }
  }
}
