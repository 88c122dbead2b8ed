package dev.gatehouse.operator.metrics;

import dev.gatehouse.apinode.metrics.PrometheusText;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.javaoperatorsdk.operator.api.monitoring.Metrics;
import io.javaoperatorsdk.operator.api.reconciler.RetryInfo;
import io.javaoperatorsdk.operator.processing.event.Event;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what JOSDK reports (reconciliations, failures, events, controller execution time) per kind
 * or controller, and renders them in the Prometheus text format for {@code /metrics}. Thread-safe;
 * no dependencies beyond the JDK.
 */
public final class OperatorMetrics implements Metrics {
  private final Map<String, LongAdder> reconciliations = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> failures = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> events = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> executions = new ConcurrentHashMap<>();
  private final Map<String, LongAdder> executionNanos = new ConcurrentHashMap<>();

  @Override
  public void eventReceived(Event event, Map<String, Object> metadata) {
    count(events, kindOf(metadata));
  }

  @Override
  public void reconciliationStarted(HasMetadata resource, Map<String, Object> metadata) {
    count(reconciliations, resource.getKind());
  }

  @Override
  public void reconciliationFailed(
      HasMetadata resource, RetryInfo retry, Exception exception, Map<String, Object> metadata) {
    count(failures, resource.getKind());
  }

  @Override
  public <T> T timeControllerExecution(ControllerExecution<T> execution) throws Exception {
    long start = System.nanoTime();
    try {
      return execution.execute();
    } finally {
      String key = execution.controllerName() + "\u0000" + execution.name();
      count(executions, key);
      executionNanos.computeIfAbsent(key, k -> new LongAdder()).add(System.nanoTime() - start);
    }
  }

  /** The metrics in the Prometheus text exposition format. */
  public String render() {
    PrometheusText out =
        new PrometheusText()
            .counter(
                "gatehouse_operator_reconciliations_total",
                "Reconciliations started, by kind.",
                "kind",
                sums(reconciliations))
            .counter(
                "gatehouse_operator_reconciliation_failures_total",
                "Reconciliations that threw, by kind.",
                "kind",
                sums(failures))
            .counter(
                "gatehouse_operator_events_total",
                "Events that triggered reconciliation, by kind.",
                "kind",
                sums(events))
            .family(
                "gatehouse_operator_execution_seconds",
                "Time spent in controller executions.",
                "summary");
    for (Map.Entry<String, LongAdder> entry : new TreeMap<>(executions).entrySet()) {
      String[] parts = entry.getKey().split("\u0000", 2);
      String labels =
          "{controller=\""
              + PrometheusText.escape(parts[0])
              + "\",execution=\""
              + PrometheusText.escape(parts[1])
              + "\"}";
      out.sample("gatehouse_operator_execution_seconds_count", labels, entry.getValue().sum())
          .sample(
              "gatehouse_operator_execution_seconds_sum",
              labels,
              executionNanos.get(entry.getKey()).sum() / 1e9);
    }
    return out.toString();
  }

  private static Map<String, Long> sums(Map<String, LongAdder> counters) {
    Map<String, Long> sums = new TreeMap<>();
    counters.forEach((key, adder) -> sums.put(key, adder.sum()));
    return sums;
  }

  private static void count(Map<String, LongAdder> counters, String key) {
    counters.computeIfAbsent(key == null ? "unknown" : key, k -> new LongAdder()).increment();
  }

  private static String kindOf(Map<String, Object> metadata) {
    Object gvk = metadata == null ? null : metadata.get("Resource.GVK");
    if (gvk == null) {
      return "unknown";
    }
    String text = gvk.toString();
    int kind = text.lastIndexOf("kind=");
    return kind < 0 ? text : text.substring(kind + 5).replaceAll("[^A-Za-z0-9].*$", "");
  }
}
