package dev.gatehouse.e2e.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metric names a Grafana dashboard queries, and which of them a set of Prometheus scrapes does
 * not define. Pure: a dashboard that queries a name no component exports shows "No data" forever,
 * and this is how a test notices.
 */
public final class DashboardQueries {
  private static final Pattern METRIC = Pattern.compile("\\bgatehouse_[a-z0-9_]+");
  private static final Pattern FAMILY = Pattern.compile("^# TYPE (\\S+) ", Pattern.MULTILINE);
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)[{ ]", Pattern.MULTILINE);

  private DashboardQueries() {}

  /** Every {@code gatehouse_*} name in the {@code expr} of every panel target. */
  public static Set<String> metricNames(String dashboardJson) throws IOException {
    JsonNode root = new ObjectMapper().readTree(dashboardJson);
    Set<String> names = new TreeSet<>();
    for (JsonNode panel : root.path("panels")) {
      for (JsonNode target : panel.path("targets")) {
        Matcher m = METRIC.matcher(target.path("expr").asText(""));
        while (m.find()) {
          names.add(m.group());
        }
      }
    }
    return names;
  }

  /**
   * The names in {@code queried} that no scrape defines, as a family ({@code # TYPE}) or a sample.
   * A counter family without samples yet (no failures so far) counts as defined.
   */
  public static Set<String> missing(Set<String> queried, String... scrapes) {
    Set<String> defined = new TreeSet<>();
    for (String scrape : scrapes) {
      for (Pattern p : new Pattern[] {FAMILY, SAMPLE}) {
        Matcher m = p.matcher(scrape);
        while (m.find()) {
          defined.add(m.group(1));
        }
      }
    }
    Set<String> missing = new TreeSet<>(queried);
    missing.removeAll(defined);
    return missing;
  }
}
