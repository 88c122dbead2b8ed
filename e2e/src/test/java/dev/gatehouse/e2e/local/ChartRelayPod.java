package dev.gatehouse.e2e.local;

import com.marcnuri.helm.Helm;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The chart's relay (its Secret and Deployment, rendered by Helm's library with {@code
 * relay.enabled}) applied to the stack's API server, so the real node runs it from the image {@code
 * e2e/node/images.sh relay} built: on the pod network, not the node's (hostNetwork false), so its
 * relayed addresses are its pod address.
 */
final class ChartRelayPod {
  static final String NAMESPACE = "gatehouse-relay";
  static final String SECRET = "chart-relay-secret";

  private ChartRelayPod() {}

  /** Applies the rendered relay objects; the pod is left to the scheduler and the kubelet. */
  static void apply(KubernetesClient client, Path repository) {
    String yaml =
        new Helm(repository.resolve("charts/gatehouse"))
            .template()
            .withName("gh")
            .withNamespace(NAMESPACE)
            .withKubeVersion("v1.34.4") // the node's and API server's (e2e/kube/build-binaries.sh)
            .set("relay.enabled", "true")
            .set("relay.hostNetwork", "false")
            .set("relay.addresses[0]", "relay.invalid:3478")
            .set("relay.secret", SECRET)
            .set("relay.portRange", "49152-49407")
            .call();
    client
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .serverSideApply();
    for (HasMetadata o : relayObjects(yaml)) {
      o.getMetadata().setNamespace(NAMESPACE);
      client.resource(o).forceConflicts().serverSideApply();
    }
  }

  /** The relay's Deployment and the Secret it mounts, from the whole rendered chart. */
  static List<HasMetadata> relayObjects(String yaml) {
    KubernetesSerialization serialization = new KubernetesSerialization();
    List<HasMetadata> all = new ArrayList<>();
    for (String document : yaml.split("(?m)^---\\s*$")) {
      if (document.lines().anyMatch(l -> l.startsWith("kind:"))) {
        all.add(serialization.unmarshal(document));
      }
    }
    Deployment relay =
        all.stream()
            .filter(Deployment.class::isInstance)
            .map(Deployment.class::cast)
            .filter(d -> d.getMetadata().getName().endsWith("-relay"))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("the chart renders no relay Deployment"));
    String secretName =
        relay.getSpec().getTemplate().getSpec().getVolumes().stream()
            .filter(v -> v.getSecret() != null)
            .findFirst()
            .orElseThrow()
            .getSecret()
            .getSecretName();
    Secret secret =
        all.stream()
            .filter(Secret.class::isInstance)
            .map(Secret.class::cast)
            .filter(s -> s.getMetadata().getName().equals(secretName))
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("no Secret " + secretName));
    return List.of(secret, relay);
  }

  /** The relay's pod once it is Ready, else null. */
  static Pod readyPod(KubernetesClient client) {
    return client
        .pods()
        .inNamespace(NAMESPACE)
        .withLabel("app.kubernetes.io/component", "relay")
        .list()
        .getItems()
        .stream()
        .filter(
            p ->
                p.getStatus() != null
                    && p.getStatus().getConditions() != null
                    && p.getStatus().getConditions().stream()
                        .anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus())))
        .findFirst()
        .orElse(null);
  }
}
