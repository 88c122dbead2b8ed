package dev.gatehouse.apinode.channel;

import java.util.concurrent.atomic.AtomicLong;

/** Counters of one API node, readable from any thread. */
public final class NodeMetrics {
  public final AtomicLong clientChannels = new AtomicLong();
  public final AtomicLong gatewayChannels = new AtomicLong();
  public final AtomicLong refusedJoins = new AtomicLong();
  public final AtomicLong rejectedFrames = new AtomicLong();
  public final AtomicLong droppedFrames = new AtomicLong();
  public final AtomicLong flowsRequested = new AtomicLong();
  public final AtomicLong flowsCreated = new AtomicLong();
  public final AtomicLong flowsFailed = new AtomicLong();
  public final AtomicLong revocationsSent = new AtomicLong();
  public final AtomicLong changesRouted = new AtomicLong();
  public final AtomicLong taskFailures = new AtomicLong();

  @Override
  public String toString() {
    return "clients="
        + clientChannels
        + " gateways="
        + gatewayChannels
        + " refusedJoins="
        + refusedJoins
        + " rejectedFrames="
        + rejectedFrames
        + " droppedFrames="
        + droppedFrames
        + " flowsRequested="
        + flowsRequested
        + " flowsCreated="
        + flowsCreated
        + " flowsFailed="
        + flowsFailed
        + " revocationsSent="
        + revocationsSent
        + " changesRouted="
        + changesRouted;
  }
}
