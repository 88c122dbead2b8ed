package dev.gatehouse.e2e.kubelet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.gatehouse.e2e.local.Commands;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * A real Kubernetes node from {@code e2e/node/node.sh}: a kubelet with containerd, runc and the
 * lab's CNI plugin, registered with the stack's control plane, plus kube-scheduler and the cluster
 * DNS. Pods run as containers from locally built images; this class reads them back from the API
 * server and from the container runtime (crictl), never from their spec.
 */
public final class RealNode implements AutoCloseable {
  /** Where the node's pods are wired and what it calls itself. */
  public record Settings(
      Path repository,
      Path state,
      Path kubeState,
      Path logs,
      String nodeName,
      String nodeIp,
      String hub,
      String podPrefix,
      Path hosts,
      int port) {}

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Settings settings;
  private final KubernetesClient client;
  private final Path crictl;

  private RealNode(Settings settings, KubernetesClient client, Path kubeBinaries) {
    this.settings = settings;
    this.client = client;
    this.crictl = kubeBinaries.resolve("crictl");
  }

  /** Starts the node and waits until it is Ready; a failed start leaves nothing running. */
  public static RealNode start(Settings settings, KubernetesClient client, Path kubeBinaries)
      throws IOException, InterruptedException {
    RealNode node = new RealNode(settings, client, kubeBinaries);
    try {
      node.script("start");
    } catch (IllegalStateException e) {
      node.script("reset");
      throw e;
    }
    return node;
  }

  /** The running pods matching {@code labelSelector} in {@code namespace}, by namespace/name. */
  public Map<String, PodLauncher.Running> pods(String namespace, String labelSelector) {
    Map<String, PodLauncher.Running> pods = new TreeMap<>();
    for (Pod pod :
        client.pods().inNamespace(namespace).withLabelSelector(labelSelector).list().getItems()) {
      if (pod.getStatus() != null && pod.getStatus().getPodIP() != null) {
        pods.put(namespace + "/" + pod.getMetadata().getName(), new ContainerPod(pod));
      }
    }
    return pods;
  }

  /** What the container runtime says of a pod's first container. */
  public record RuntimeView(
      long pid,
      String netns,
      boolean privileged,
      String capEff,
      String capBnd,
      String noNewPrivs,
      String seccomp,
      boolean readOnlyRoot) {}

  /** Reads {@code namespace/name}'s container from crictl and its process's /proc status. */
  public RuntimeView inspect(String namespace, String name)
      throws IOException, InterruptedException {
    String sandbox =
        crictl(
                "pods",
                "-q",
                "--state",
                "ready",
                "--namespace",
                namespace,
                "--name",
                "^" + name + "$")
            .strip();
    if (sandbox.isEmpty() || sandbox.contains("\n")) {
      throw new IllegalStateException(
          "one ready sandbox for " + namespace + "/" + name + ": " + sandbox);
    }
    JsonNode pod = JSON.readTree(crictl("inspectp", sandbox));
    String netns = "";
    for (JsonNode ns : pod.path("info").path("runtimeSpec").path("linux").path("namespaces")) {
      if ("network".equals(ns.path("type").asText())) {
        netns = Path.of(ns.path("path").asText()).getFileName().toString();
      }
    }
    String container = crictl("ps", "-q", "--state", "running", "--pod", sandbox).strip();
    if (container.isEmpty() || container.contains("\n")) {
      throw new IllegalStateException("one running container in " + sandbox + ": " + container);
    }
    JsonNode info = JSON.readTree(crictl("inspect", container)).path("info");
    long pid = info.path("pid").asLong();
    Map<String, String> status = procStatus(pid);
    return new RuntimeView(
        pid,
        netns,
        info.path("privileged").asBoolean(),
        status.get("CapEff"),
        status.get("CapBnd"),
        status.get("NoNewPrivs"),
        status.get("Seccomp"),
        info.path("runtimeSpec").path("root").path("readonly").asBoolean());
  }

  private static Map<String, String> procStatus(long pid) throws IOException {
    Map<String, String> fields = new TreeMap<>();
    for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
      int colon = line.indexOf(':');
      if (colon > 0) {
        fields.put(line.substring(0, colon), line.substring(colon + 1).strip());
      }
    }
    return fields;
  }

  private String crictl(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(crictl.toString());
    command.add("--config");
    command.add(settings.state().resolve("crictl.yaml").toString());
    command.addAll(List.of(args));
    return Commands.run(command.toArray(String[]::new));
  }

  /** A pod on this node, seen through the API server and the runtime. */
  private final class ContainerPod implements PodLauncher.Running {
    private final String namespace;
    private final String name;
    private final String ip;

    ContainerPod(Pod pod) {
      this.namespace = pod.getMetadata().getNamespace();
      this.name = pod.getMetadata().getName();
      this.ip = pod.getStatus().getPodIP();
    }

    private Pod current() {
      return client.pods().inNamespace(namespace).withName(name).get();
    }

    @Override
    public String podIp() {
      return ip;
    }

    @Override
    public boolean ready() {
      Pod pod = current();
      return pod != null
          && pod.getStatus().getConditions().stream()
              .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
    }

    @Override
    public boolean alive() {
      Pod pod = current();
      if (pod == null || pod.getMetadata().getDeletionTimestamp() != null) {
        return false;
      }
      List<ContainerStatus> containers = pod.getStatus().getContainerStatuses();
      return containers != null
          && !containers.isEmpty()
          && containers.getFirst().getState().getRunning() != null;
    }

    /** SIGKILLs the container's process, as a crash would; the kubelet restarts it. */
    @Override
    public void kill() {
      try {
        Commands.run("kill", "-KILL", Long.toString(inspect(namespace, name).pid()));
      } catch (IOException e) {
        throw new IllegalStateException("killing " + this, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted killing " + this, e);
      }
    }

    @Override
    public String namespace() {
      try {
        return inspect(namespace, name).netns();
      } catch (IOException e) {
        throw new IllegalStateException("inspecting " + this, e);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted inspecting " + this, e);
      }
    }

    /** Deletes the pod, as {@code kubectl delete pod} does. */
    @Override
    public void stop() {
      client.pods().inNamespace(namespace).withName(name).delete();
    }

    @Override
    public String toString() {
      return "pod " + namespace + "/" + name + " at " + ip;
    }
  }

  private void script(String command) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                "bash", settings.repository().resolve("e2e/node/node.sh").toString(), command)
            .redirectErrorStream(true);
    Map<String, String> env = builder.environment();
    env.put("GATEHOUSE_NODE_DIR", settings.state().toString());
    env.put("GATEHOUSE_KUBE_DIR", settings.kubeState().toString());
    env.put("GATEHOUSE_NODE_NAME", settings.nodeName());
    env.put("GATEHOUSE_NODE_IP", settings.nodeIp());
    env.put("GATEHOUSE_NODE_HUB", settings.hub());
    env.put("GATEHOUSE_NODE_POD_PREFIX", settings.podPrefix());
    env.put("GATEHOUSE_NODE_HOSTS", settings.hosts().toString());
    env.put("GATEHOUSE_NODE_PORT", Integer.toString(settings.port()));
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(5, TimeUnit.MINUTES) || process.exitValue() != 0) {
      throw new IllegalStateException("e2e/node/node.sh " + command + " failed:\n" + output);
    }
  }

  /** Keeps the node's and its containers' logs (they go with the state dir), then resets. */
  @Override
  public void close() throws IOException, InterruptedException {
    try {
      copyTree(settings.state().resolve("logs"), settings.logs());
      copyTree(settings.state().resolve("pod-logs"), settings.logs().resolve("pods"));
    } finally {
      script("reset");
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    if (!Files.isDirectory(from)) {
      return;
    }
    try (var files = Files.walk(from)) {
      for (Path f : files.filter(Files::isRegularFile).toList()) {
        Path target = to.resolve(from.relativize(f).toString());
        Files.createDirectories(target.getParent());
        Files.copy(f, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }
}
