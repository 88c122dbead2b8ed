package dev.gatehouse.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.operator.metrics.OperatorMetrics;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Liveness ({@code /healthz}), readiness ({@code /readyz}) and Prometheus metrics ({@code
 * /metrics}) over HTTP. Ready means every informer of every controller is healthy (connected and
 * synced) and, when this replica embeds an API node, that node is ready (its database and
 * replication stream reachable, see {@link NodeReadiness}). The metrics are the operator's and the
 * embedded API node's.
 */
final class HealthServer {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  /**
   * @param apiNode the API node this replica embeds, or null when it runs without a control plane
   */
  static HealthServer start(int port, Operator operator, OperatorMetrics metrics, ApiNode apiNode) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
      server.createContext(
          "/metrics",
          exchange ->
              respond(
                  exchange,
                  200,
                  metrics.render() + (apiNode == null ? "" : apiNode.renderMetrics())));
      server.createContext(
          "/readyz",
          exchange -> {
            String notReady = notReady(operator, apiNode);
            respond(
                exchange,
                notReady == null ? 200 : 503,
                notReady == null ? "ready\n" : notReady + "\n");
          });
      server.start();
      return new HealthServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health checks on port " + port, e);
    }
  }

  /** Why this replica is not ready, or null if it is. */
  private static String notReady(Operator operator, ApiNode apiNode) {
    if (!operator.getRuntimeInfo().isStarted()
        || !operator.getRuntimeInfo().allEventSourcesAreHealthy()) {
      return "informers not healthy";
    }
    NodeReadiness node = apiNode == null ? null : apiNode.readiness();
    return node == null || node.ready() ? null : "API node not ready: " + node.reason();
  }

  void stop() {
    server.stop(0);
  }

  private static void respond(HttpExchange exchange, int code, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }
}
