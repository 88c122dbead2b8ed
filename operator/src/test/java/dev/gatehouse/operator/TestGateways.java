package dev.gatehouse.operator;

import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewaySpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;

/** Builds Gateway objects for tests. */
public final class TestGateways {
  private TestGateways() {}

  public static Gateway gateway(String namespace, String name, int replicas) {
    Gateway gateway = new Gateway();
    gateway.setMetadata(
        new ObjectMetaBuilder()
            .withName(name)
            .withNamespace(namespace)
            .withUid("uid-" + name)
            .withGeneration(1L)
            .build());
    GatewaySpec spec = new GatewaySpec();
    spec.setReplicas(replicas);
    gateway.setSpec(spec);
    return gateway;
  }
}
