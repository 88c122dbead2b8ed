package dev.gatehouse.e2e.kubelet;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The environment a kubelet would give a container: literal values, Secret keys and the downward
 * API ({@code metadata.uid}, {@code metadata.name}, {@code metadata.namespace}). Pure: Secrets come
 * from a lookup function.
 */
public final class PodEnvironment {
  private PodEnvironment() {}

  /**
   * @param secrets (namespace, name) → Secret, or null when it does not exist
   * @param podIp the address the pod will have ({@code status.podIP})
   * @throws IllegalStateException naming the variable when a reference cannot be resolved, as a
   *     kubelet would refuse to start the container
   */
  public static Map<String, String> resolve(
      Pod pod, Container container, BiFunction<String, String, Secret> secrets, String podIp) {
    Map<String, String> env = new LinkedHashMap<>();
    String namespace = pod.getMetadata().getNamespace();
    for (EnvVar variable :
        container.getEnv() == null ? java.util.List.<EnvVar>of() : container.getEnv()) {
      if (variable.getValueFrom() == null) {
        env.put(
            variable.getName(),
            expand(variable.getValue() == null ? "" : variable.getValue(), env));
      } else if (variable.getValueFrom().getSecretKeyRef() != null) {
        var ref = variable.getValueFrom().getSecretKeyRef();
        Secret secret = secrets.apply(namespace, ref.getName());
        String encoded =
            secret == null || secret.getData() == null ? null : secret.getData().get(ref.getKey());
        if (encoded == null) {
          throw new IllegalStateException(
              variable.getName()
                  + ": Secret "
                  + namespace
                  + "/"
                  + ref.getName()
                  + " has no key "
                  + ref.getKey());
        }
        env.put(
            variable.getName(),
            new String(Base64.getDecoder().decode(encoded), StandardCharsets.UTF_8));
      } else if (variable.getValueFrom().getFieldRef() != null) {
        env.put(
            variable.getName(),
            field(
                pod,
                variable.getValueFrom().getFieldRef().getFieldPath(),
                variable.getName(),
                podIp));
      } else {
        throw new IllegalStateException(
            variable.getName() + ": only values, secretKeyRef and fieldRef are supported");
      }
    }
    return env;
  }

  /** Kubernetes' $(NAME) references to variables defined earlier in the list. */
  static String expand(String value, Map<String, String> defined) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < value.length()) {
      int start = value.indexOf("$(", i);
      int end = start < 0 ? -1 : value.indexOf(')', start);
      if (start < 0 || end < 0) {
        out.append(value, i, value.length());
        break;
      }
      String name = value.substring(start + 2, end);
      out.append(value, i, start).append(defined.getOrDefault(name, "$(" + name + ")"));
      i = end + 1;
    }
    return out.toString();
  }

  private static String field(Pod pod, String path, String variable, String podIp) {
    return switch (path) {
      case "metadata.uid" -> pod.getMetadata().getUid();
      case "metadata.name" -> pod.getMetadata().getName();
      case "metadata.namespace" -> pod.getMetadata().getNamespace();
      case "status.podIP" -> podIp;
      // The simulated node has no address of its own: each pod's namespace is its host.
      case "status.hostIP" ->
          pod.getStatus() != null && pod.getStatus().getHostIP() != null
              ? pod.getStatus().getHostIP()
              : podIp;
      default ->
          throw new IllegalStateException(variable + ": field " + path + " is not supported");
    };
  }
}
