package dev.gatehouse.operator.inject;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The mutating admission webhook over HTTPS: {@code POST /mutate-pods} answers AdmissionReviews
 * ({@link AdmissionHandler}). The certificate and key are PEM files (a kubernetes.io/tls Secret
 * mounted into the operator pod) and are re-read when they change, so a renewed certificate is
 * served without a restart.
 */
public final class WebhookServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookServer.class);
  public static final String PATH = "/mutate-pods";
  private static final int MAX_BODY = 4 << 20;

  private final HttpsServer server;
  private final ExecutorService executor;
  private final ReloadingKeyManager keys;

  private WebhookServer(HttpsServer server, ExecutorService executor, ReloadingKeyManager keys) {
    this.server = server;
    this.executor = executor;
    this.keys = keys;
  }

  /**
   * Serves on {@code host:port} (port 0 picks one), checking the TLS files for renewal at most
   * every {@code reloadEvery}.
   */
  public static WebhookServer start(
      String host,
      int port,
      Path certificate,
      Path privateKey,
      Duration reloadEvery,
      AdmissionHandler handler)
      throws IOException {
    ReloadingKeyManager keys = new ReloadingKeyManager(certificate, privateKey, reloadEvery);
    SSLContext tls;
    try {
      tls = SSLContext.getInstance("TLS");
      tls.init(new KeyManager[] {keys}, null, null);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot set up TLS for the webhook: " + e.getMessage(), e);
    }
    HttpsServer server = HttpsServer.create(new InetSocketAddress(host, port), 64);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    server.setExecutor(executor);
    server.createContext(PATH, exchange -> serve(exchange, handler));
    server.start();
    LOG.info(
        "sidecar injection webhook on https://{}:{}{} ({})",
        host,
        server.getAddress().getPort(),
        PATH,
        keys.leaf().getSubjectX500Principal().getName());
    return new WebhookServer(server, executor, keys);
  }

  private static void serve(HttpExchange exchange, AdmissionHandler handler) throws IOException {
    try (exchange) {
      if (!"POST".equals(exchange.getRequestMethod())) {
        respond(exchange, 405, "{\"error\":\"POST an AdmissionReview\"}");
        return;
      }
      byte[] body = exchange.getRequestBody().readNBytes(MAX_BODY + 1);
      if (body.length > MAX_BODY) {
        respond(exchange, 413, "{\"error\":\"request larger than 4 MiB\"}");
        return;
      }
      String answer;
      try {
        answer = handler.handle(new String(body, StandardCharsets.UTF_8));
      } catch (RuntimeException e) {
        LOG.warn("cannot read an admission request: {}", e.toString());
        respond(exchange, 400, "{\"error\":\"not an AdmissionReview\"}");
        return;
      }
      respond(exchange, 200, answer);
    }
  }

  private static void respond(HttpExchange exchange, int code, String json) throws IOException {
    byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", "application/json");
    exchange.sendResponseHeaders(code, bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      out.write(bytes);
    }
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** The leaf certificate served now (after any reload). */
  public java.security.cert.X509Certificate certificate() {
    return keys.leaf();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
