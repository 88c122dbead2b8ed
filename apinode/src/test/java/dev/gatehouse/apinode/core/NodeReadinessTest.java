package dev.gatehouse.apinode.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NodeReadinessTest {

  @ParameterizedTest(name = "database down {0} s, replication down {1} s -> {2}")
  @CsvSource(
      delimiter = '|',
      textBlock =
          """
          0  | 0  | ready
          15 | 15 | ready
          16 | 0  | database unreachable for 16 s (more than 15 s)
          0  | 40 | replication stream down for 40 s (more than 15 s)
          15.25 | 0 | database unreachable for 15.2 s (more than 15 s)
          20 | 30 | database unreachable for 20 s; replication stream down for 30 s (more than 15 s)
          """)
  void outagesLongerThanTheBoundMakeTheNodeUnready(
      double database, double replication, String want) {
    NodeReadiness r =
        new NodeReadiness(
            Duration.ofMillis((long) (database * 1000)),
            Duration.ofMillis((long) (replication * 1000)),
            Duration.ofSeconds(15));

    assertThat(r.ready()).isEqualTo(want.equals("ready"));
    assertThat(r.reason()).isEqualTo(want.equals("ready") ? null : want);
  }
}
