package dev.gatehouse.e2e.local;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A workload that opts in to sidecar injection on the real node, as a CI runner would: a pod
 * labelled {@code gatehouse.dev/inject=true} naming a token Secret of its own identity, whose app
 * container (curl) fetches the web resource. The operator's webhook adds the client as a native
 * sidecar; its startup probe holds the app back until the tunnel is up, so the request reaches the
 * resource through a gateway (the resource sees a gateway's address, not the pod's).
 */
public final class InjectedWorkload {
  static final String SECRET = "ci-runner-token";
  static final String CLIENT_IMAGE = "ghcr.io/gatehouse-dev/client:0.1.0";

  /**
   * @param phase the pod's phase at the end (Succeeded when curl got the page)
   * @param sidecar the sidecar's name and restart policy as stored, e.g. "gatehouse-client Always";
   *     empty when nothing was injected
   * @param podIp the workload pod's own address
   * @param accessLogLine the resource's log line of the workload's request
   * @param gatewayIps the gateway pods' addresses
   */
  public record Result(
      String pod,
      String phase,
      String sidecar,
      String podIp,
      String accessLogLine,
      Set<String> gatewayIps,
      String appLog) {
    /** Whether the request came in from a gateway pod. */
    public boolean throughGateway() {
      return gatewayIps.stream().anyMatch(ip -> accessLogLine.startsWith(ip + " "));
    }

    public boolean passed() {
      return "Succeeded".equals(phase) && sidecar.endsWith(" Always") && throughGateway();
    }
  }

  private final LocalStack stack;

  public InjectedWorkload(LocalStack stack) {
    this.stack = stack;
  }

  /** Runs the workload once (identity "ci-runner" in group engineering) and reports. */
  public Result run(String name) throws Exception {
    AdminClient.ClientIdentity identity = stack.admin().createClient("ci-runner", "engineering");
    stack
        .kube()
        .resource(
            new SecretBuilder()
                .withNewMetadata()
                .withName(SECRET)
                .withNamespace(LocalStack.NAMESPACE)
                .endMetadata()
                .withStringData(Map.of("token", identity.token()))
                .build())
        .serverSideApply();
    String marker = "/?injected=" + name;
    String url =
        "http://" + stack.lab().resourceAddress() + ":" + ResourceServers.HTTP_PORT + marker;
    Pod created = stack.kube().resource(pod(name, url)).create();
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
    return new Result(
        name,
        done.getStatus().getPhase(),
        sidecar(done),
        done.getStatus().getPodIP() == null ? "" : done.getStatus().getPodIP(),
        line,
        gateways,
        appLog(name));
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
        .addToAnnotations("gatehouse.dev/identity", SECRET)
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
