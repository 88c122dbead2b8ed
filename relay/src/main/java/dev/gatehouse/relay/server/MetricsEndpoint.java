package dev.gatehouse.relay.server;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.gatehouse.relay.turn.RelayMetrics;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * Serves {@code GET /metrics} (Prometheus text format) and {@code GET /healthz} on the JDK's HTTP
 * server, on its own thread; it only reads the counters.
 */
public final class MetricsEndpoint implements AutoCloseable {
  private final HttpServer server;

  private MetricsEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Binds {@code address} (port 0 picks one) and starts serving. */
  public static MetricsEndpoint start(InetSocketAddress address, RelayMetrics metrics)
      throws IOException {
    HttpServer server = HttpServer.create(address, 16);
    server.createContext(
        "/metrics",
        ex -> respond(ex, "text/plain; version=0.0.4; charset=utf-8", metrics.renderPrometheus()));
    server.createContext("/healthz", ex -> respond(ex, "text/plain; charset=utf-8", "ok\n"));
    server.start();
    return new MetricsEndpoint(server);
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return server.getAddress();
  }

  private static void respond(HttpExchange ex, String contentType, String body) throws IOException {
    try (ex) {
      if (!"GET".equals(ex.getRequestMethod()) && !"HEAD".equals(ex.getRequestMethod())) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", contentType);
      boolean head = "HEAD".equals(ex.getRequestMethod());
      ex.sendResponseHeaders(200, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
