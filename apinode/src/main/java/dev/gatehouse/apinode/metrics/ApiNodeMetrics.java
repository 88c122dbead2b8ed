package dev.gatehouse.apinode.metrics;

import dev.gatehouse.apinode.channel.NodeMetrics;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.controlplane.cdc.ReplicationMetrics;

/**
 * The metrics of one API node and its CDC consumer, rendered for {@code /metrics}: control
 * channels, joins, frames, flows, revocations, and the replication stream (lag in bytes and
 * seconds, reconnects, changes dropped by position, whether it is up).
 */
public final class ApiNodeMetrics {
  private ApiNodeMetrics() {}

  /** A point-in-time view of what {@link #render} reads, taken by the node. */
  public record Snapshot(
      NodeMetrics node,
      ReplicationMetrics replication,
      long changesDropped,
      NodeReadiness readiness) {}

  public static void render(Snapshot s, PrometheusText out) {
    NodeMetrics n = s.node();
    out.gauge(
            "gatehouse_apinode_client_channels",
            "Client control channels connected to this node.",
            n.clientChannels.get())
        .gauge(
            "gatehouse_apinode_gateway_channels",
            "Gateway control channels connected to this node.",
            n.gatewayChannels.get())
        .counter(
            "gatehouse_apinode_joins_refused_total",
            "Channel joins refused (bad or unknown token, bad parameters).",
            n.refusedJoins.get())
        .counter(
            "gatehouse_apinode_frames_rejected_total",
            "Control frames rejected as malformed or out of turn.",
            n.rejectedFrames.get())
        .counter(
            "gatehouse_apinode_frames_dropped_total",
            "Control frames dropped by the per-channel rate limit.",
            n.droppedFrames.get())
        .counter(
            "gatehouse_apinode_flows_requested_total",
            "Flows clients asked for.",
            n.flowsRequested.get())
        .counter(
            "gatehouse_apinode_flows_created_total",
            "Flows authorized and confirmed by a gateway.",
            n.flowsCreated.get())
        .counter(
            "gatehouse_apinode_flows_failed_total",
            "Flows refused or not confirmed in time.",
            n.flowsFailed.get())
        .counter(
            "gatehouse_apinode_revocations_total",
            "Access revocations (reject_access) sent to gateways.",
            n.revocationsSent.get())
        .counter(
            "gatehouse_apinode_changes_routed_total",
            "Changes delivered to channels' caches.",
            n.changesRouted.get())
        .counter(
            "gatehouse_apinode_task_failures_total",
            "Channel tasks that threw.",
            n.taskFailures.get());
    ReplicationMetrics r = s.replication();
    long now = System.nanoTime();
    out.gauge(
            "gatehouse_cdc_stream_up",
            "1 while a replication session is open, else 0.",
            r.streamUp() ? 1 : 0)
        .gauge(
            "gatehouse_cdc_stream_down_seconds",
            "How long no replication session has been open (0 while one is).",
            r.streamDownFor(now).toMillis() / 1000.0)
        .gauge(
            "gatehouse_cdc_lag_bytes",
            "WAL the server has written that this node has not acknowledged.",
            r.lagBytes())
        .gauge(
            "gatehouse_cdc_lag_seconds",
            "Commit-to-apply delay of the last transaction (0 when caught up and idle).",
            r.lagMillis() / 1000.0)
        .gauge(
            "gatehouse_cdc_lag_max_seconds",
            "Highest commit-to-apply delay since the node started.",
            r.maxLagMillis() / 1000.0)
        .gauge(
            "gatehouse_cdc_acknowledged_lsn",
            "The last WAL position acknowledged to the server.",
            (double) r.lastAcknowledgedLsn())
        .counter(
            "gatehouse_cdc_changes_applied_total",
            "Row changes applied to the caches.",
            r.changesApplied())
        .counter(
            "gatehouse_cdc_transactions_applied_total",
            "Transactions applied and acknowledged.",
            r.transactionsApplied())
        .counter(
            "gatehouse_cdc_reconnects_total",
            "Replication sessions opened after the first.",
            r.reconnects())
        .counter(
            "gatehouse_cdc_session_failures_total",
            "Replication sessions that ended with an error.",
            r.failures())
        .counter(
            "gatehouse_cdc_lag_warnings_total",
            "Times the lag exceeded the warning threshold.",
            r.lagWarnings())
        .counter(
            "gatehouse_cdc_changes_dropped_total",
            "Changes dropped by LSN as duplicate (replayed after a reconnect) or out of order.",
            s.changesDropped())
        .gauge(
            "gatehouse_apinode_ready",
            "1 when the node is ready (database and replication stream reachable), else 0.",
            s.readiness().ready() ? 1 : 0);
  }
}
