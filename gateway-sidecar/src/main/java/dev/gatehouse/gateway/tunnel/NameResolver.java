package dev.gatehouse.gateway.tunnel;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * How the gateway resolves the names of DNS resources: with its own resolver (in a pod, the
 * cluster's DNS through /etc/resolv.conf). {@link #system} uses the JDK resolver on virtual threads
 * with a timeout; tests pass a map. {@link #resolve} must not block the caller; the future
 * completes exceptionally (with a message worth logging) when the name does not resolve.
 */
@FunctionalInterface
public interface NameResolver {

  CompletableFuture<List<InetAddress>> resolve(String name);

  /** The JDK resolver ({@link InetAddress#getAllByName}), giving up after {@code timeout}. */
  static NameResolver system(Duration timeout) {
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    return name ->
        CompletableFuture.supplyAsync(
                () -> {
                  try {
                    return List.of(InetAddress.getAllByName(name));
                  } catch (UnknownHostException e) {
                    throw new IllegalStateException("does not resolve (" + e.getMessage() + ")");
                  }
                },
                executor)
            .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }
}
