package dev.gatehouse.e2e.local;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DemoSummaryTest {
  @Test
  void everyRowPassedExitsZero() {
    DemoSummary summary = new DemoSummary();
    summary.add("first page", "1.20 s after the client started", true);
    summary.add("revocation", "last answer 40 ms after", true);

    assertThat(summary.exitStatus()).isZero();
    assertThat(summary.render())
        .contains("first page  1.20 s after the client started  ok")
        .contains("2 of 2 scenarios ok");
  }

  @Test
  void oneFailedRowExitsOneAndIsMarked() {
    DemoSummary summary = new DemoSummary();
    summary.add("first page", "1.20 s", true);
    summary.add("failover", "no page within 90 s", false);

    assertThat(summary.exitStatus()).isEqualTo(1);
    assertThat(summary.render()).contains("FAILED").contains("1 of 2 scenarios ok");
  }

  @Test
  void anEmptySummaryIsAFailure() {
    assertThat(new DemoSummary().exitStatus()).isEqualTo(1);
  }

  @Test
  void theCountLineIsNotMistakenForATestRunnersLine() {
    DemoSummary summary = new DemoSummary();
    summary.add("first page", "1.20 s", true);

    assertThat(summary.render().lines())
        .noneMatch(l -> l.matches("\\s*(\\w+:\\s*)?\\d+ passed, \\d+ failed.*"));
  }
}
