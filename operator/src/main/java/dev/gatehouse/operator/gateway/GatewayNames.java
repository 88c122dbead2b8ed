package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import java.util.LinkedHashMap;
import java.util.Map;

/** Names, labels and owner metadata of the objects a {@link Gateway} owns. Pure. */
public final class GatewayNames {
  public static final String GATEWAY_LABEL = "gatehouse.dev/gateway";
  public static final String MANAGED_BY = "gatehouse-operator";

  /** Selects every object the operator creates for gateways, for the dependents' informers. */
  public static final String MANAGED_SELECTOR =
      "app.kubernetes.io/managed-by=" + MANAGED_BY + ",app.kubernetes.io/name=gatehouse-gateway";

  public static final String TOKEN_KEY = "token";
  public static final String WIREGUARD_PORT_NAME = "wireguard";
  public static final int HTTP_PORT = 8080;

  private GatewayNames() {}

  /** Name shared by the ServiceAccount, Deployment, Service and PodDisruptionBudget. */
  public static String workloadName(Gateway gateway) {
    return gateway.getMetadata().getName() + "-gateway";
  }

  public static String tokenSecretName(Gateway gateway) {
    return gateway.getMetadata().getName() + "-gateway-token";
  }

  /** Labels that select the gateway's pods; never change them, Deployments pin them. */
  public static Map<String, String> selectorLabels(Gateway gateway) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put("app.kubernetes.io/name", "gatehouse-gateway");
    labels.put("app.kubernetes.io/instance", gateway.getMetadata().getName());
    return labels;
  }

  /** Labels on every owned object. */
  public static Map<String, String> labels(Gateway gateway) {
    Map<String, String> labels = selectorLabels(gateway);
    labels.put("app.kubernetes.io/component", "gateway");
    labels.put("app.kubernetes.io/managed-by", MANAGED_BY);
    labels.put("app.kubernetes.io/part-of", "gatehouse");
    labels.put(GATEWAY_LABEL, gateway.getMetadata().getName());
    return labels;
  }

  /** Metadata of an owned object: name, namespace, labels and a controller owner reference. */
  public static ObjectMeta ownedMetadata(Gateway gateway, String name) {
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(gateway.getMetadata().getNamespace())
        .withLabels(labels(gateway))
        .withOwnerReferences(controllerReference(gateway))
        .build();
  }

  /**
   * An owner reference with {@code controller=true}, which {@code HasMetadata.addOwnerReference}
   * does not set (STACK.md), so that garbage collection and {@code kubectl} know who owns it.
   */
  public static OwnerReference controllerReference(Gateway gateway) {
    return new OwnerReferenceBuilder()
        .withApiVersion(gateway.getApiVersion())
        .withKind(gateway.getKind())
        .withName(gateway.getMetadata().getName())
        .withUid(gateway.getMetadata().getUid())
        .withController(true)
        .withBlockOwnerDeletion(true)
        .build();
  }
}
