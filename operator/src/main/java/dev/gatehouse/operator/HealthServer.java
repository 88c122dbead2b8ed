package dev.gatehouse.operator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
 * synced).
 */
final class HealthServer {
  private final HttpServer server;

  private HealthServer(HttpServer server) {
    this.server = server;
  }

  static HealthServer start(int port, Operator operator, OperatorMetrics metrics) {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(port), 0);
      server.createContext("/healthz", exchange -> respond(exchange, 200, "ok\n"));
      server.createContext("/metrics", exchange -> respond(exchange, 200, metrics.render()));
      server.createContext(
          "/readyz",
          exchange -> {
            boolean ready =
                operator.getRuntimeInfo().isStarted()
                    && operator.getRuntimeInfo().allEventSourcesAreHealthy();
            respond(exchange, ready ? 200 : 503, ready ? "ready\n" : "informers not healthy\n");
          });
      server.start();
      return new HealthServer(server);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serve health checks on port " + port, e);
    }
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
