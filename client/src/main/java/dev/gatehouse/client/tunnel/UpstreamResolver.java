package dev.gatehouse.client.tunnel;

import java.util.function.Consumer;

/**
 * Where the client's DNS stub sends queries for names that are not resources. {@link
 * UdpUpstreamResolver} sends them over UDP; tests pass a lambda. {@link #forward} must not block
 * the caller (it runs on the TUN reader thread under the agent's lock): the answer, if any, comes
 * later on another thread; no answer (timeout, error) means no call.
 */
@FunctionalInterface
public interface UpstreamResolver extends AutoCloseable {

  /**
   * Sends one DNS message; {@code onAnswer} gets the upstream's reply (the array is the callee's to
   * keep).
   */
  void forward(byte[] query, Consumer<byte[]> onAnswer);

  @Override
  default void close() {}
}
