package dev.gatehouse.apinode.bus;

import java.util.function.Consumer;

/**
 * Delivers {@link NodeMessage}s to the API node holding a channel — possibly this one. Best effort
 * and at most once: a message to a node that is gone is lost, and the requester's timeout answers
 * (a client gets {@code offline}). Implementations: {@link PgNotifyBus} (PostgreSQL LISTEN/NOTIFY,
 * no extra broker) and {@link InMemoryBus} (the twin for tests).
 */
public interface NodeBus extends AutoCloseable {

  /** Starts delivering messages addressed to {@code nodeId} to {@code receiver}. */
  void start(String nodeId, Consumer<NodeMessage> receiver);

  /** Sends; never blocks for long, never throws (failures are logged and counted). */
  void send(String nodeId, NodeMessage message);

  @Override
  void close();
}
