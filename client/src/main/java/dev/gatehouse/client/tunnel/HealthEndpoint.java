package dev.gatehouse.client.tunnel;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * The client's probes over HTTP, for a kubelet: {@code GET /readyz} answers 200 once the control
 * channel is up and the API node's {@code init} has been applied (interface addressed, resource
 * routes in place), else 503 with the reason; {@code GET /livez} answers 200 while the process
 * runs. An injected sidecar's startup probe uses {@code /readyz}, so the pod's other containers
 * start only when their traffic to resources goes through the tunnel. Says nothing else about the
 * client.
 */
public final class HealthEndpoint implements AutoCloseable {
  /** Why the client is not ready, or null when it is. */
  public interface Readiness extends Supplier<String> {}

  private final HttpServer server;

  private HealthEndpoint(HttpServer server) {
    this.server = server;
  }

  /** Serves on {@code port} on every address of the client's network namespace. */
  public static HealthEndpoint start(int port, Readiness readiness) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 8);
    server.createContext(
        "/readyz",
        exchange -> {
          String problem = readiness.get();
          reply(exchange, problem == null ? 200 : 503, problem == null ? "ready" : problem);
        });
    server.createContext("/livez", exchange -> reply(exchange, 200, "live"));
    server.start();
    return new HealthEndpoint(server);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  private static void reply(HttpExchange exchange, int status, String text) throws IOException {
    byte[] body = (text + "\n").getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    exchange.sendResponseHeaders(status, body.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(body);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
