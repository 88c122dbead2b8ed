package dev.gatehouse.relay.turn;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayMetricsTest {

  @Test
  void bytesRelayedReadsBackWhatTheTextSays() {
    RelayMetrics metrics = new RelayMetrics();
    assertThat(RelayMetrics.bytesRelayed(metrics.renderPrometheus())).isZero();
    metrics.relayed(RelayMetrics.Direction.CLIENT_TO_PEER, 1200);
    metrics.relayed(RelayMetrics.Direction.PEER_TO_CLIENT, 34);
    metrics.relayed(RelayMetrics.Direction.CLIENT_TO_PEER, 6);

    assertThat(RelayMetrics.bytesRelayed(metrics.renderPrometheus())).isEqualTo(1240);
    assertThat(RelayMetrics.bytesRelayed("")).isZero();
  }
}
