package dev.gatehouse.operator.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.GatewayStatus;
import dev.gatehouse.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import java.time.Instant;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class GatewayStatusAggregatorTest {
  private static final Instant T0 = Instant.parse("2026-11-28T10:00:00Z");

  static Stream<Arguments> cases() {
    return Stream.of(
        // ready, updated, failure reason, expected Ready, Progressing, Degraded
        Arguments.of(null, 0, 0, null, "False", "True", "False", "Creating"),
        Arguments.of(1, 0, 0, null, "False", "True", "False", "ReplicasNotReady"),
        Arguments.of(1, 1, 2, null, "False", "True", "False", "ReplicasNotReady"),
        Arguments.of(1, 2, 2, null, "True", "False", "False", "AllReplicasReady"),
        Arguments.of(1, 3, 3, null, "True", "False", "False", "AllReplicasReady"),
        Arguments.of(
            1, 0, 2, "ProgressDeadlineExceeded", "False", "False", "True", "ReplicasNotReady"));
  }

  @ParameterizedTest
  @MethodSource("cases")
  void conditionsFollowTheDeployment(
      Integer deploymentGeneration,
      int ready,
      int updated,
      String failure,
      String expectReady,
      String expectProgressing,
      String expectDegraded,
      String readyReason) {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    Optional<Deployment> deployment =
        deploymentGeneration == null
            ? Optional.empty()
            : Optional.of(deployment(deploymentGeneration, ready, updated, failure));

    GatewayStatus status =
        GatewayStatusAggregator.aggregate(gateway, deployment, Optional.empty(), T0);

    assertThat(condition(status, Conditions.READY).getStatus()).isEqualTo(expectReady);
    assertThat(condition(status, Conditions.READY).getReason()).isEqualTo(readyReason);
    assertThat(condition(status, Conditions.PROGRESSING).getStatus()).isEqualTo(expectProgressing);
    assertThat(condition(status, Conditions.DEGRADED).getStatus()).isEqualTo(expectDegraded);
    assertThat(status.getConditions())
        .allSatisfy(c -> assertThat(c.getObservedGeneration()).isEqualTo(1L));
    assertThat(status.getReadyReplicas()).isEqualTo(ready);
  }

  @Test
  void transitionTimeChangesOnlyWhenTheStatusChanges() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    gateway.setStatus(
        GatewayStatusAggregator.aggregate(
            gateway, Optional.of(deployment(1, 1, 2, null)), Optional.empty(), T0));

    GatewayStatus same =
        GatewayStatusAggregator.aggregate(
            gateway, Optional.of(deployment(1, 1, 2, null)), Optional.empty(), T0.plusSeconds(60));
    assertThat(same).isEqualTo(gateway.getStatus());

    GatewayStatus ready =
        GatewayStatusAggregator.aggregate(
            gateway, Optional.of(deployment(1, 2, 2, null)), Optional.empty(), T0.plusSeconds(60));
    assertThat(condition(ready, Conditions.READY).getLastTransitionTime())
        .isEqualTo("2026-11-28T10:01:00Z");
    assertThat(condition(ready, Conditions.DEGRADED).getLastTransitionTime())
        .isEqualTo("2026-11-28T10:00:00Z");
  }

  @Test
  void endpointsComeFromTheLoadBalancerOrTheClusterIp() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    var service =
        new ServiceBuilder(GatewayServices.service(gateway))
            .editSpec()
            .withClusterIP("10.96.0.7")
            .endSpec()
            .build();
    assertThat(
            GatewayStatusAggregator.aggregate(gateway, Optional.empty(), Optional.of(service), T0)
                .getEndpoints())
        .containsExactly("10.96.0.7:51820");

    var balanced =
        new ServiceBuilder(service)
            .withNewStatus()
            .withNewLoadBalancer()
            .addNewIngress()
            .withIp("203.0.113.9")
            .endIngress()
            .endLoadBalancer()
            .endStatus()
            .build();
    assertThat(GatewayServices.endpoints(balanced)).containsExactly("203.0.113.9:51820");
  }

  @Test
  void failureKeepsReadinessButReportsDegraded() {
    Gateway gateway = TestGateways.gateway("ns", "edge", 2);
    gateway.setStatus(
        GatewayStatusAggregator.aggregate(
            gateway, Optional.of(deployment(1, 2, 2, null)), Optional.empty(), T0));

    GatewayStatus failed =
        GatewayStatusAggregator.failed(gateway, "Forbidden", "no permission", T0);

    assertThat(condition(failed, Conditions.READY).getStatus()).isEqualTo("True");
    assertThat(condition(failed, Conditions.DEGRADED).getStatus()).isEqualTo("True");
    assertThat(condition(failed, Conditions.DEGRADED).getMessage()).isEqualTo("no permission");
  }

  private static Deployment deployment(int generation, int ready, int updated, String failure) {
    DeploymentBuilder builder =
        new DeploymentBuilder()
            .withNewMetadata()
            .withGeneration((long) generation)
            .endMetadata()
            .withNewStatus()
            .withObservedGeneration((long) generation)
            .withReadyReplicas(ready)
            .withUpdatedReplicas(updated)
            .endStatus();
    if (failure != null) {
      builder
          .editStatus()
          .addToConditions(
              new DeploymentConditionBuilder()
                  .withType("Progressing")
                  .withStatus("False")
                  .withReason(failure)
                  .withMessage("deadline exceeded")
                  .build())
          .endStatus();
    }
    return builder.build();
  }

  private static Condition condition(GatewayStatus status, String type) {
    return Conditions.find(status.getConditions(), type).orElseThrow();
  }
}
