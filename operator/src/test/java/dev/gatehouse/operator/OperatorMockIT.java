package dev.gatehouse.operator;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator against Fabric8's CRUD mock API server. The mock has no server-side apply, no schema
 * or CEL validation and no garbage collector, so SSA is off here and those behaviours are proven
 * against a real kube-apiserver instead.
 */
@EnableKubernetesMockClient(crud = true, https = false)
class OperatorMockIT {
  static KubernetesClient client;
  private static Operator operator;

  @BeforeAll
  static void startOperator() {
    operator =
        GatehouseOperator.create(
            client,
            OperatorConfig.forTests(false),
            ControlPlaneSync.DISCONNECTED,
            Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stopOperator() {
    operator.stop();
  }

  @Test
  void gatewayCreatesItsObjects() {
    new OperatorScenarios(client, false).gatewayCreatesItsObjects("gw-objects");
  }

  @Test
  void statusFollowsDeploymentAndSpecChangesRollOut() {
    new OperatorScenarios(client, false).statusFollowsDeploymentAndSpecChangesRollOut("gw-status");
  }

  @Test
  void resourceResolvesServiceRef() {
    new OperatorScenarios(client, false).resourceResolvesServiceRef("res-service");
  }

  @Test
  void invalidResourceIsReported() {
    new OperatorScenarios(client, false).invalidResourceIsReported("res-invalid");
  }

  @Test
  void policyFollowsItsResource() {
    new OperatorScenarios(client, false).policyFollowsItsResource("policy-ref");
  }

  @Test
  void aLabelledServiceBecomesAResource() {
    new OperatorScenarios(client, false).aLabelledServiceBecomesAResource("mock-expose");
  }
}
