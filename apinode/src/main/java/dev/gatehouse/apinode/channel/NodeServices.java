package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.ApiNodeConfig;
import dev.gatehouse.apinode.core.FlowKeys;
import dev.gatehouse.apinode.core.RelayDirectory;
import dev.gatehouse.controlplane.cache.FlowReauthorizer;
import dev.gatehouse.protocol.ControlCodec;
import java.time.InstantSource;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;

/**
 * What channels of one node share. {@code joinPermits} bounds concurrent joins (each upserts,
 * allocates and hydrates through several database connections), so a reconnect storm queues instead
 * of exhausting PostgreSQL's connection limit. {@code relays} are offered in every {@code init}.
 */
public record NodeServices(
    ApiNodeConfig config,
    ControlCodec codec,
    ChannelStore store,
    FlowReauthorizer reauthorizer,
    FlowKeys keys,
    ChannelHub hub,
    Executor tasks,
    ScheduledExecutorService scheduler,
    InstantSource clock,
    NodeMetrics metrics,
    Semaphore joinPermits,
    RelayDirectory relays) {

  public String nodeId() {
    return config.nodeId();
  }
}
