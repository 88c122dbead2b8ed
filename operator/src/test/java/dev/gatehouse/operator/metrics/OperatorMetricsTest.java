package dev.gatehouse.operator.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.operator.TestGateways;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorMetricsTest {
  @Test
  void countsReconciliationsFailuresAndExecutionTimeInPrometheusFormat() throws Exception {
    OperatorMetrics metrics = new OperatorMetrics();
    var gateway = TestGateways.gateway("ns", "edge", 1);
    metrics.reconciliationStarted(gateway, Map.of());
    metrics.reconciliationStarted(gateway, Map.of());
    metrics.reconciliationFailed(gateway, null, new IllegalStateException("x"), Map.of());
    assertThat(metrics.timeControllerExecution(execution("reconcile", () -> "ok"))).isEqualTo("ok");
    assertThatThrownBy(
            () ->
                metrics.timeControllerExecution(
                    execution(
                        "reconcile",
                        () -> {
                          throw new IllegalStateException("boom");
                        })))
        .hasMessage("boom");

    assertThat(metrics.render())
        .contains("# TYPE gatehouse_operator_reconciliations_total counter")
        .contains("gatehouse_operator_reconciliations_total{kind=\"Gateway\"} 2")
        .contains("gatehouse_operator_reconciliation_failures_total{kind=\"Gateway\"} 1")
        .contains(
            "gatehouse_operator_execution_seconds_count{controller=\"gateway\",execution=\"reconcile\"} 2");
  }

  interface Body<T> {
    T run() throws Exception;
  }

  private static <T> Metrics.ControllerExecution<T> execution(String name, Body<T> body) {
    return new Metrics.ControllerExecution<>() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String controllerName() {
        return "gateway";
      }

      @Override
      public String successTypeName(T result) {
        return "ok";
      }

      @Override
      public ResourceID resourceID() {
        return new ResourceID("edge", "ns");
      }

      @Override
      public Map<String, Object> metadata() {
        return Map.of();
      }

      @Override
      public T execute() throws Exception {
        return body.run();
      }
    };
  }
}
