package dev.gatehouse.apinode.metrics;

import java.util.Map;
import java.util.TreeMap;

/**
 * Writes metrics in the Prometheus text exposition format (version 0.0.4): a {@code # HELP} and
 * {@code # TYPE} line per family, then its samples. Names follow Prometheus conventions: base units
 * (seconds, bytes), {@code _total} on counters. Not thread-safe; one per scrape.
 */
public final class PrometheusText {
  private final StringBuilder out = new StringBuilder();

  public PrometheusText counter(String name, String help, long value) {
    family(name, help, "counter");
    return sample(name, "", value);
  }

  public PrometheusText gauge(String name, String help, double value) {
    family(name, help, "gauge");
    return sample(name, "", value);
  }

  /** A counter family with one label, one sample per key (sorted, so scrapes diff cleanly). */
  public PrometheusText counter(
      String name, String help, String label, Map<String, ? extends Number> values) {
    family(name, help, "counter");
    for (Map.Entry<String, ? extends Number> e : new TreeMap<>(values).entrySet()) {
      sample(name, "{" + label + "=\"" + escape(e.getKey()) + "\"}", e.getValue());
    }
    return this;
  }

  /** The {@code # HELP} and {@code # TYPE} lines of a family whose samples follow. */
  public PrometheusText family(String name, String help, String type) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    return this;
  }

  /** One sample; {@code labels} is empty or a rendered label set such as {@code {kind="x"}}. */
  public PrometheusText sample(String name, String labels, Number value) {
    out.append(name).append(labels).append(' ');
    double d = value.doubleValue();
    if ((value instanceof Double || value instanceof Float) && d != Math.rint(d)) {
      out.append(d);
    } else if (value instanceof Double || value instanceof Float) {
      out.append((long) d); // a whole number reads as one: "1", not "1.0"
    } else {
      out.append(value.longValue());
    }
    out.append('\n');
    return this;
  }

  /** A label value with backslash, quote and newline escaped. */
  public static String escape(String value) {
    return value.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }

  @Override
  public String toString() {
    return out.toString();
  }
}
