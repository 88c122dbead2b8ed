package dev.gatehouse.e2e.local;

import dev.gatehouse.e2e.kubelet.RealNode;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A workload that opts in to sidecar injection on the real node, as a CI runner would: a pod
 * labelled {@code gatehouse.dev/inject=true} naming its identity ({@code ci-runner}, the service
 * account {@code k8s:default/ci-runner} that an administrator put into group engineering), whose
 * app container (curl) fetches the web resource. The operator's webhook adds the client as a native
 * sidecar and names a Secret for the pod's own token; the operator mints that token; the sidecar's
 * startup probe holds the app back until the tunnel is up, so the request reaches the resource
 * through a gateway (the resource sees a gateway's address, not the pod's). When the pod has
 * finished, its token is revoked; when it is deleted, its Secret goes too.
 */
public final class InjectedWorkload {
  static final String IDENTITY = "ci-runner";
  static final String CLIENT_IMAGE = "ghcr.io/gatehouse-dev/client:0.1.0";

  /**
   * @param phase the pod's phase at the end (Succeeded when curl got the page)
   * @param sidecar the sidecar's name and restart policy as stored, e.g. "gatehouse-client Always";
   *     empty when nothing was injected
   * @param podIp the workload pod's own address
   * @param accessLogLine the resource's log line of the workload's request
   * @param gatewayIps the gateway pods' addresses
   * @param tokenSecret the Secret the webhook named for the pod's token, and its owner ("Pod name")
   *     as stored; empty when there was none
   * @param tokenState the pod's token in the control plane after the pod finished: "revoked",
   *     "live" or "missing"
   * @param secretAfterDelete whether the token Secret was still there after the pod was deleted
   * @param sidecarRuntime the sidecar's process as the container runtime reports it
   */
  public record Result(
      String pod,
      String phase,
      String sidecar,
      String podIp,
      String accessLogLine,
      Set<String> gatewayIps,
      String appLog,
      String tokenSecret,
      String tokenState,
      boolean secretAfterDelete,
      RealNode.RuntimeView sidecarRuntime) {
    /** Whether the request came in from a gateway pod. */
    public boolean throughGateway() {
      return gatewayIps.stream().anyMatch(ip -> accessLogLine.startsWith(ip + " "));
    }

    public boolean passed() {
      return "Succeeded".equals(phase)
          && sidecar.endsWith(" Always")
          && throughGateway()
          && tokenSecret.endsWith(" Pod " + pod)
          && tokenState.equals("revoked")
          && !secretAfterDelete;
    }
  }

  private final LocalStack stack;

  public InjectedWorkload(LocalStack stack) {
    this.stack = stack;
  }

  /** Runs the workload once (identity "ci-runner" in group engineering) and reports. */
  public Result run(String name) throws Exception {
    stack
        .admin()
        .createServiceAccount("k8s:" + LocalStack.NAMESPACE + "/" + IDENTITY, "engineering");
    String marker = "/?injected=" + name;
    String url =
        "http://" + stack.lab().resourceAddress() + ":" + ResourceServers.HTTP_PORT + marker;
    Pod created = stack.kube().resource(pod(name, url)).create();
    RealNode.RuntimeView sidecarRuntime = sidecarAlone(name);
    Pod done =
        stack
            .kube()
            .pods()
            .resource(created)
            .waitUntilCondition(
                p ->
                    p != null
                        && ("Succeeded".equals(p.getStatus().getPhase())
                            || "Failed".equals(p.getStatus().getPhase())),
                150,
                TimeUnit.SECONDS);
    String line =
        stack.resource().accessLog().lines().filter(l -> l.contains(marker)).findFirst().orElse("");
    Set<String> gateways =
        stack.gatewayPods().values().stream().map(p -> p.podIp()).collect(Collectors.toSet());
    String secretName =
        done.getMetadata().getAnnotations().getOrDefault("gatehouse.dev/token-secret", "");
    String tokenSecret = secretName.isEmpty() ? "" : secretAndOwner(secretName);
    String tokenState = awaitRevoked(done.getMetadata().getUid());
    String log = appLog(name);
    stack.kube().pods().resource(done).withGracePeriod(0).delete();
    boolean secretAfterDelete = !secretName.isEmpty() && secretRemains(secretName);
    return new Result(
        name,
        done.getStatus().getPhase(),
        sidecar(done),
        done.getStatus().getPodIP() == null ? "" : done.getStatus().getPodIP(),
        line,
        gateways,
        log,
        tokenSecret,
        tokenState,
        secretAfterDelete,
        sidecarRuntime);
  }

  /**
   * The sidecar as the runtime runs it, read while it is the pod's only running container (the
   * startup probe holds the app back until the tunnel is up); null if that moment was missed.
   */
  private RealNode.RuntimeView sidecarAlone(String name) throws InterruptedException {
    RealNode node = stack.node().orElseThrow();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      try {
        return node.inspect(LocalStack.NAMESPACE, name);
      } catch (IllegalStateException | java.io.IOException e) {
        Thread.sleep(200); // not running yet, or the app has started beside it
      }
    }
    return null;
  }

  private String secretAndOwner(String name) {
    Secret secret = stack.kube().secrets().inNamespace(LocalStack.NAMESPACE).withName(name).get();
    if (secret == null) {
      return name + " (missing)";
    }
    return name
        + " "
        + secret.getMetadata().getOwnerReferences().stream()
            .map(o -> o.getKind() + " " + o.getName())
            .collect(Collectors.joining(","));
  }

  /** The pod's token once the operator has seen it finish: revoked within 30 s, or as it is. */
  private String awaitRevoked(String podUid) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    String state;
    do {
      state = stack.workloadTokenState(podUid);
      if (state.equals("revoked")) {
        return state;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return state;
  }

  /** Whether the Secret is still there 60 s after its pod was deleted (garbage collection). */
  private boolean secretRemains(String name) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (stack.kube().secrets().inNamespace(LocalStack.NAMESPACE).withName(name).get() == null) {
        return false;
      }
      Thread.sleep(500);
    }
    return true;
  }

  private static String sidecar(Pod pod) {
    return pod.getSpec().getInitContainers().stream()
        .filter(c -> c.getName().equals("gatehouse-client"))
        .map(c -> c.getName() + " " + c.getRestartPolicy())
        .findFirst()
        .orElse("");
  }

  private String appLog(String name) {
    try {
      return stack
          .kube()
          .pods()
          .inNamespace(LocalStack.NAMESPACE)
          .withName(name)
          .inContainer("app")
          .getLog();
    } catch (RuntimeException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static Pod pod(String name, String url) {
    return new PodBuilder()
        .withNewMetadata()
        .withName(name)
        .withNamespace(LocalStack.NAMESPACE)
        .addToLabels("gatehouse.dev/inject", "true")
        .addToAnnotations("gatehouse.dev/identity", IDENTITY)
        .endMetadata()
        .withNewSpec()
        .withRestartPolicy("Never")
        .withAutomountServiceAccountToken(false)
        .addNewContainer()
        .withName("app")
        .withImage(CLIENT_IMAGE)
        .withImagePullPolicy("IfNotPresent")
        .withCommand(
            List.of("/usr/bin/curl", "-sS", "--fail", "--max-time", "10", "-o", "/dev/null", url))
        .withNewSecurityContext()
        .withAllowPrivilegeEscalation(false)
        .withReadOnlyRootFilesystem(true)
        .withNewCapabilities()
        .withDrop("ALL")
        .endCapabilities()
        .endSecurityContext()
        .endContainer()
        .endSpec()
        .build();
  }
}
