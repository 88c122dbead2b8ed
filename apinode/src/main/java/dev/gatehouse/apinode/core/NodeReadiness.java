package dev.gatehouse.apinode.core;

import java.time.Duration;

/**
 * Whether an API node should receive traffic: it is ready unless its database or its replication
 * stream has been unreachable for longer than {@code bound}. Short outages stay ready (the CDC
 * consumer reconnects and replays from its slot, losing nothing); a longer one makes the node
 * unready, so that a Service sends new control channels to a replica that still works. The bound is
 * the presence TTL: after that long without a heartbeat the other nodes count this one as gone
 * anyway. Pure.
 *
 * @param databaseDownFor how long the last heartbeat query has been failing (zero when it works)
 * @param replicationDownFor how long no replication session has been open (zero while one is)
 * @param bound the longest outage that still counts as ready
 */
public record NodeReadiness(Duration databaseDownFor, Duration replicationDownFor, Duration bound) {

  public boolean ready() {
    return reason() == null;
  }

  /** Why the node is not ready, naming each part that is down and for how long; null if ready. */
  public String reason() {
    boolean database = databaseDownFor.compareTo(bound) > 0;
    boolean replication = replicationDownFor.compareTo(bound) > 0;
    if (!database && !replication) {
      return null;
    }
    StringBuilder why = new StringBuilder();
    if (database) {
      why.append("database unreachable for ").append(seconds(databaseDownFor));
    }
    if (replication) {
      why.append(database ? "; " : "")
          .append("replication stream down for ")
          .append(seconds(replicationDownFor));
    }
    return why.append(" (more than ").append(seconds(bound)).append(')').toString();
  }

  private static String seconds(Duration d) {
    long tenths = d.toMillis() / 100;
    return tenths % 10 == 0 ? tenths / 10 + " s" : tenths / 10 + "." + tenths % 10 + " s";
  }
}
