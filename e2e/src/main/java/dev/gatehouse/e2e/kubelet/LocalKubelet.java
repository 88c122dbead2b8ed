package dev.gatehouse.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.fabric8.kubernetes.api.model.PodConditionBuilder;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A test-only kubelet for a control plane without nodes: it runs the pods matching a label selector
 * as local processes (through a {@link PodLauncher}), reports them Running with the pod IP, and
 * keeps their Ready condition in step with the container's readiness probe, so that ReplicaSets,
 * Deployments and the operator see what they would see in a cluster.
 */
public final class LocalKubelet implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(LocalKubelet.class);

  private final KubernetesClient client;
  private final PodLauncher launcher;
  private final Map<String, PodLauncher.Running> running = new ConcurrentHashMap<>();
  private final Map<String, Boolean> reportedReady = new ConcurrentHashMap<>();
  private final ScheduledExecutorService worker = Executors.newSingleThreadScheduledExecutor();
  private SharedIndexInformer<Pod> informer;

  public LocalKubelet(KubernetesClient client, PodLauncher launcher) {
    this.client = client;
    this.launcher = launcher;
  }

  /** Starts running the pods that match {@code labelSelector} in all namespaces. */
  public LocalKubelet start(String labelSelector) {
    informer =
        client
            .pods()
            .inAnyNamespace()
            .withLabelSelector(labelSelector)
            .inform(
                new ResourceEventHandler<>() {
                  @Override
                  public void onAdd(Pod pod) {
                    worker.execute(() -> admit(pod));
                  }

                  @Override
                  public void onUpdate(Pod before, Pod pod) {
                    if (pod.getMetadata().getDeletionTimestamp() != null) {
                      worker.execute(() -> remove(pod));
                    }
                  }

                  @Override
                  public void onDelete(Pod pod, boolean unknownFinalState) {
                    worker.execute(() -> remove(pod));
                  }
                });
    worker.scheduleWithFixedDelay(this::probeAll, 1, 1, TimeUnit.SECONDS);
    return this;
  }

  /** Pods this kubelet runs now, by namespace/name. */
  public Map<String, PodLauncher.Running> running() {
    return Map.copyOf(running);
  }

  private void admit(Pod pod) {
    String key = key(pod);
    if (running.containsKey(key) || pod.getMetadata().getDeletionTimestamp() != null) {
      return;
    }
    Container container = pod.getSpec().getContainers().getFirst();
    try {
      String ip = launcher.reserveIp();
      Map<String, String> env =
          PodEnvironment.resolve(
              pod,
              container,
              (namespace, name) ->
                  client.resources(Secret.class).inNamespace(namespace).withName(name).get(),
              ip);
      PodLauncher.Running process =
          launcher.launch(new PodLauncher.Launch(key, ip, container.getImage(), env));
      running.put(key, process);
      LOG.info("started pod {} ({}) at {}", key, container.getImage(), process.podIp());
      report(pod, process, process.ready());
    } catch (Exception e) {
      LOG.warn("cannot start pod {}: {}", key, e.getMessage());
      reportFailed(pod, e.getMessage());
    }
  }

  private void probeAll() {
    for (Map.Entry<String, PodLauncher.Running> entry : running.entrySet()) {
      try {
        boolean ready = entry.getValue().alive() && entry.getValue().ready();
        if (!Boolean.valueOf(ready).equals(reportedReady.get(entry.getKey()))) {
          String[] parts = entry.getKey().split("/", 2);
          Pod pod = client.pods().inNamespace(parts[0]).withName(parts[1]).get();
          if (pod != null) {
            report(pod, entry.getValue(), ready);
          }
        }
      } catch (RuntimeException e) {
        LOG.warn("probing {} failed: {}", entry.getKey(), e.getMessage());
      }
    }
  }

  private void report(Pod pod, PodLauncher.Running process, boolean ready) {
    String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
    String readyWord = ready ? "True" : "False";
    PodStatus status =
        new PodStatusBuilder()
            .withPhase(process.alive() ? "Running" : "Failed")
            .withPodIP(process.podIp())
            .withHostIP(process.podIp())
            .withStartTime(now)
            .withConditions(
                condition("PodScheduled", "True", now),
                condition("Initialized", "True", now),
                condition("ContainersReady", readyWord, now),
                condition("Ready", readyWord, now))
            .addNewContainerStatus()
            .withName(pod.getSpec().getContainers().getFirst().getName())
            .withImage(pod.getSpec().getContainers().getFirst().getImage())
            .withReady(ready)
            .withStarted(process.alive())
            .withRestartCount(0)
            .withNewState()
            .withNewRunning()
            .withStartedAt(now)
            .endRunning()
            .endState()
            .endContainerStatus()
            .build();
    updateStatus(pod, status);
    reportedReady.put(key(pod), ready);
  }

  private void reportFailed(Pod pod, String message) {
    updateStatus(
        pod,
        new PodStatusBuilder()
            .withPhase("Pending")
            .withReason("LocalKubeletError")
            .withMessage(message)
            .build());
  }

  private void updateStatus(Pod pod, PodStatus status) {
    try {
      client
          .pods()
          .inNamespace(pod.getMetadata().getNamespace())
          .withName(pod.getMetadata().getName())
          .editStatus(
              current -> {
                current.setStatus(status);
                return current;
              });
    } catch (KubernetesClientException e) {
      LOG.warn("cannot update status of {}: {}", key(pod), e.getMessage());
    }
  }

  private void remove(Pod pod) {
    PodLauncher.Running process = running.remove(key(pod));
    reportedReady.remove(key(pod));
    if (process != null) {
      process.stop();
      LOG.info("stopped pod {}", key(pod));
    }
  }

  private static PodCondition condition(String type, String status, String now) {
    return new PodConditionBuilder()
        .withType(type)
        .withStatus(status)
        .withLastTransitionTime(now)
        .build();
  }

  private static String key(Pod pod) {
    return pod.getMetadata().getNamespace() + "/" + pod.getMetadata().getName();
  }

  @Override
  public void close() {
    if (informer != null) {
      informer.close();
    }
    worker.shutdownNow();
    try {
      worker.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    List.copyOf(running.values()).forEach(PodLauncher.Running::stop);
    running.clear();
  }
}
