package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DashboardQueriesTest {

  @Test
  void findsTheMetricNamesOfEveryTargetExpression() throws Exception {
    String dashboard =
        """
        {"panels": [
          {"targets": [{"expr": "sum by (pod) (rate(gatehouse_a_total[5m]))"},
                       {"expr": "gatehouse_b / gatehouse_c"}]},
          {"targets": [{"expr": "up"}]}]}
        """;

    assertThat(DashboardQueries.metricNames(dashboard))
        .containsExactly("gatehouse_a_total", "gatehouse_b", "gatehouse_c");
  }

  @Test
  void aNameIsDefinedBySampleOrByFamilyAndMissingOtherwise() {
    String operator =
        """
        # HELP gatehouse_a_total A.
        # TYPE gatehouse_a_total counter
        """;
    String gateway = "gatehouse_b{reason=\"x\",} 1.0\n";

    assertThat(
            DashboardQueries.missing(
                Set.of("gatehouse_a_total", "gatehouse_b", "gatehouse_c"), operator, gateway))
        .containsExactly("gatehouse_c");
  }

  @Test
  void theChartsDashboardParses() throws Exception {
    String json =
        Files.readString(Path.of("../charts/gatehouse/dashboards/gatehouse-overview.json"));

    assertThat(DashboardQueries.metricNames(json)).hasSizeGreaterThan(10);
  }
}
