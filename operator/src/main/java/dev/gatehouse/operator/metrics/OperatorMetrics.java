package dev.gatehouse.operator.metrics;

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
    StringBuilder out = new StringBuilder();
    counter(
        out,
        "gatehouse_operator_reconciliations_total",
        "Reconciliations started, by kind.",
        "kind",
        reconciliations);
    counter(
        out,
        "gatehouse_operator_reconciliation_failures_total",
        "Reconciliations that threw, by kind.",
        "kind",
        failures);
    counter(
        out,
        "gatehouse_operator_events_total",
        "Events that triggered reconciliation, by kind.",
        "kind",
        events);
    out.append(
        "# HELP gatehouse_operator_execution_seconds Time spent in controller executions.\n");
    out.append("# TYPE gatehouse_operator_execution_seconds summary\n");
    for (Map.Entry<String, LongAdder> entry : new TreeMap<>(executions).entrySet()) {
      String[] parts = entry.getKey().split("\u0000", 2);
      String labels =
          "{controller=\"" + escape(parts[0]) + "\",execution=\"" + escape(parts[1]) + "\"}";
      double seconds = executionNanos.get(entry.getKey()).sum() / 1e9;
      out.append("gatehouse_operator_execution_seconds_count")
          .append(labels)
          .append(' ')
          .append(entry.getValue().sum())
          .append('\n');
      out.append("gatehouse_operator_execution_seconds_sum")
          .append(labels)
          .append(' ')
          .append(seconds)
          .append('\n');
    }
    return out.toString();
  }

  private static void counter(
      StringBuilder out, String name, String help, String label, Map<String, LongAdder> values) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(" counter\n");
    for (Map.Entry<String, LongAdder> entry : new TreeMap<>(values).entrySet()) {
      out.append(name)
          .append('{')
          .append(label)
          .append("=\"")
          .append(escape(entry.getKey()))
          .append("\"} ")
          .append(entry.getValue().sum())
          .append('\n');
    }
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

  private static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
