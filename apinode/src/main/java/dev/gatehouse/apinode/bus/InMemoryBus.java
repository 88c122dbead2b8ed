package dev.gatehouse.apinode.bus;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The in-memory twin of {@link PgNotifyBus}: nodes that share one {@code Network} reach each other
 * synchronously on the sender's thread.
 */
public final class InMemoryBus implements NodeBus {

  /** The shared medium of several in-memory buses. */
  public static final class Network {
    private final Map<String, Consumer<NodeMessage>> nodes = new ConcurrentHashMap<>();
  }

  private final Network network;
  private String nodeId;

  public InMemoryBus(Network network) {
    this.network = network;
  }

  @Override
  public void start(String nodeId, Consumer<NodeMessage> receiver) {
    this.nodeId = nodeId;
    network.nodes.put(nodeId, receiver);
  }

  @Override
  public void send(String nodeId, NodeMessage message) {
    Consumer<NodeMessage> r = network.nodes.get(nodeId);
    if (r != null) {
      r.accept(message);
    }
  }

  @Override
  public void close() {
    if (nodeId != null) {
      network.nodes.remove(nodeId);
    }
  }
}
