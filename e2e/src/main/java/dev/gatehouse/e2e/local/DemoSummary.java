package dev.gatehouse.e2e.local;

import java.util.ArrayList;
import java.util.List;

/**
 * The table the demo ends with: one row per scenario, with its figure and whether it passed. Pure;
 * the demo's exit status is {@link #exitStatus()}.
 */
public final class DemoSummary {
  /** One scenario's outcome; {@code figure} is what a reader compares across runs. */
  public record Row(String scenario, String figure, boolean passed) {}

  private final List<Row> rows = new ArrayList<>();

  public void add(String scenario, String figure, boolean passed) {
    rows.add(new Row(scenario, figure, passed));
  }

  public List<Row> rows() {
    return List.copyOf(rows);
  }

  /** 0 when there is at least one row and every row passed, 1 otherwise. */
  public int exitStatus() {
    return !rows.isEmpty() && rows.stream().allMatch(Row::passed) ? 0 : 1;
  }

  /** The table as aligned plain text, ending with a line that counts the scenarios that passed. */
  public String render() {
    int scenarioWidth = width(Row::scenario, "scenario");
    int figureWidth = width(Row::figure, "figure");
    String format = "  %-" + scenarioWidth + "s  %-" + figureWidth + "s  %s%n";
    StringBuilder out = new StringBuilder();
    out.append(String.format(format, "scenario", "figure", "result"));
    out.append(String.format(format, "-".repeat(scenarioWidth), "-".repeat(figureWidth), "------"));
    for (Row row : rows) {
      out.append(
          String.format(format, row.scenario(), row.figure(), row.passed() ? "ok" : "FAILED"));
    }
    long passed = rows.stream().filter(Row::passed).count();
    // Not "N passed, N failed": CI reads that line as a test runner's count.
    out.append(String.format("%n  %d of %d scenarios ok%n", passed, rows.size()));
    return out.toString();
  }

  private int width(java.util.function.Function<Row, String> column, String header) {
    return Math.max(
        header.length(), rows.stream().mapToInt(r -> column.apply(r).length()).max().orElse(0));
  }
}
