package dev.gatehouse.apinode.channel;

/**
 * The peer end of one control channel, as a channel sees it. Implementations: the Netty WebSocket
 * edge and {@link InMemoryTransport}. Thread-safe; never blocks (writes are queued).
 */
public interface ChannelTransport {

  /** Queues one text frame (an encoded envelope). Ignored once closed. */
  void send(String frame);

  /** Closes the connection after the queued frames; idempotent. */
  void close(String reason);

  /** The peer's IP address as text, or null if unknown. */
  String remoteIp();
}
