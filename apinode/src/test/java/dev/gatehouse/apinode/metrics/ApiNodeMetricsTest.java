package dev.gatehouse.apinode.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.apinode.channel.NodeMetrics;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class ApiNodeMetricsTest {

  private static final Pattern TYPE = Pattern.compile("^# TYPE (\\S+) (counter|gauge)$");

  @Test
  void everyFamilyIsTypedNamedByConventionAndHasOneSample() {
    NodeMetrics node = new NodeMetrics();
    node.clientChannels.set(3);
    node.revocationsSent.set(7);
    PrometheusText out = new PrometheusText();
    ApiNodeMetrics.render(
        new ApiNodeMetrics.Snapshot(
            node,
            new ReplicationMetrics(Duration.ofSeconds(60)),
            2,
            new NodeReadiness(Duration.ZERO, Duration.ofSeconds(20), Duration.ofSeconds(15))),
        out);
    List<String> lines = out.toString().lines().toList();

    assertThat(lines)
        .contains(
            "gatehouse_apinode_client_channels 3",
            "gatehouse_apinode_revocations_total 7",
            "gatehouse_cdc_changes_dropped_total 2",
            "gatehouse_cdc_stream_up 0",
            "gatehouse_apinode_ready 0");
    for (int i = 0; i < lines.size(); i++) {
      Matcher type = TYPE.matcher(lines.get(i));
      if (!type.matches()) {
        continue;
      }
      String name = type.group(1);
      assertThat(name).startsWith("gatehouse_");
      assertThat(name.endsWith("_total")).as(name).isEqualTo(type.group(2).equals("counter"));
      assertThat(lines.get(i - 1)).startsWith("# HELP " + name + " ");
      assertThat(lines.get(i + 1)).startsWith(name + " ");
    }
  }

  @Test
  void labelValuesAreEscapedAndWholeNumbersPrintedWithoutAFraction() {
    String text =
        new PrometheusText()
            .counter("x_total", "X.", "kind", Map.of("a\"b", 1L))
            .gauge("y", "Y.", 2.0)
            .gauge("z_seconds", "Z.", 0.25)
            .toString();

    assertThat(text).contains("x_total{kind=\"a\\\"b\"} 1\n", "y 2\n", "z_seconds 0.25\n");
  }
}
