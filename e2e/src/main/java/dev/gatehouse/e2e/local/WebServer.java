package dev.gatehouse.e2e.local;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Executors;

/**
 * The web resource: serves the files of one directory, a virtual thread per request (the JDK's
 * {@code jwebserver} serves on one thread, so a client that vanished mid-download — its gateway
 * killed — would block every later request until TCP gives up), and logs each request with the
 * address it came from.
 *
 * <p>Usage: {@code WebServer <port> <directory>}
 */
public final class WebServer {
  private WebServer() {}

  public static void main(String[] args) throws IOException {
    int port = Integer.parseInt(args[0]);
    Path root = Path.of(args[1]).toAbsolutePath().normalize();
    HttpServer server = HttpServer.create(new InetSocketAddress(port), 64);
    server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
    server.createContext("/", exchange -> serve(root, exchange));
    server.start();
    System.out.println("serving " + root + " on port " + port);
  }

  private static void serve(Path root, HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    Path file = root.resolve(path.substring(1)).normalize();
    if (Files.isDirectory(file)) {
      file = file.resolve("index.html");
    }
    int status = file.startsWith(root) && Files.isRegularFile(file) ? 200 : 404;
    System.out.printf(
        "%s - - [%s] \"%s %s\" %d%n",
        exchange.getRemoteAddress().getAddress().getHostAddress(),
        Instant.now(),
        exchange.getRequestMethod(),
        exchange.getRequestURI(),
        status);
    try (exchange) {
      if (status != 200) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      exchange.sendResponseHeaders(200, Files.size(file));
      try (InputStream in = Files.newInputStream(file);
          OutputStream out = exchange.getResponseBody()) {
        in.transferTo(out);
      }
    }
  }
}
