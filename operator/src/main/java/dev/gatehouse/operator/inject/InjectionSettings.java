package dev.gatehouse.operator.inject;

import java.util.Map;
import java.util.Set;

/**
 * What the sidecar injector puts into a pod.
 *
 * @param clientImage the headless client's image
 * @param apiUrl the API node URL the injected client dials
 * @param caConfigMap a ConfigMap in the pod's namespace whose {@code ca.crt} the client trusts for
 *     the API node (a private CA); null: the image's default trust store
 * @param excludedNamespaces namespaces whose pods are never changed, whatever they ask (the
 *     webhook's selectors exclude them too; this is the second line)
 */
public record InjectionSettings(
    String clientImage, String apiUrl, String caConfigMap, Set<String> excludedNamespaces) {

  public static final String DEFAULT_CLIENT_IMAGE = "ghcr.io/gatehouse-dev/client:0.1.0";

  /**
   * From the operator's environment: {@code GATEHOUSE_CLIENT_IMAGE}, the control-plane URL and CA
   * ConfigMap the gateways use, and the operator's own namespace, which is excluded with {@code
   * kube-system}.
   */
  public static InjectionSettings fromEnvironment(
      Map<String, String> env, String apiUrl, String caConfigMap, String operatorNamespace) {
    String image = env.getOrDefault("GATEHOUSE_CLIENT_IMAGE", DEFAULT_CLIENT_IMAGE);
    return new InjectionSettings(
        image.isBlank() ? DEFAULT_CLIENT_IMAGE : image,
        apiUrl,
        caConfigMap,
        operatorNamespace == null || operatorNamespace.isBlank()
            ? Set.of("kube-system")
            : Set.of("kube-system", operatorNamespace));
  }
}
