package dev.gatehouse.client.control;

import dev.gatehouse.protocol.ControlCodec;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Message;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.CertPathBuilderException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLHandshakeException;

/**
 * One control channel to an API node over a WebSocket (the JDK's {@link WebSocket}), kept open: it
 * dials {@code uri} with {@code Authorization: Bearer <token>} and the join parameters as a query
 * string, decodes every text frame with {@link ControlCodec} for {@code direction}, and after a
 * loss reconnects with {@link Backoff}. It stops for good (and says why through {@link
 * Listener#onEnd}) when the API refuses the token (HTTP 401/403 on the upgrade) or the join (400,
 * 404: wrong path or parameters), when the API sends {@code disconnect} without {@code reconnect},
 * when it stays unreachable longer than {@code giveUpAfter}, when the API's TLS certificate is not
 * trusted or does not name the URL's host ({@code wss://}; {@link End#UNTRUSTED}), or when {@link
 * #close()} is called.
 *
 * <p><b>TLS.</b> {@code wss://} trusts the JDK's trust store, or with {@link Options#caFile()} the
 * certificates of that PEM bundle instead (see {@link TrustedCa}). Hostname verification stays on.
 *
 * <p><b>Threads.</b> All listener callbacks run one at a time on the channel's own thread, in the
 * order frames arrived; a callback must not block for long. {@link #send} may be called from any
 * thread.
 */
public final class ControlChannel<M extends Message> implements AutoCloseable {

  private static final System.Logger LOG = System.getLogger(ControlChannel.class.getName());

  /**
   * The version peers send as the {@code version} join parameter; the API node's compatibility
   * rules (Firezone's numbering) read it. 1.2.0: the client and gateway understand DNS resources
   * with the current wildcard syntax ({@code *.} one label, {@code **.} any depth); below it the
   * API node would rewrite wildcards to the legacy syntax and pick no gateway for them.
   */
  public static final String VERSION = "1.2.0";

  /** Default {@link Options#pingInterval()}. */
  public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(15);

  /** The API node's join paths, used when the configured URL has no path. */
  public static final String CLIENT_PATH = "/client/websocket";

  public static final String GATEWAY_PATH = "/gateway/websocket";

  /**
   * {@code uri} itself when it has a path, else {@code uri} with {@code defaultPath}: operators may
   * give just {@code wss://api.example:8443}.
   */
  public static URI withDefaultPath(URI uri, String defaultPath) {
    String path = uri.getRawPath();
    if (path != null && !path.isEmpty() && !path.equals("/")) {
      return uri;
    }
    String s = uri.toString();
    int q = s.indexOf('?');
    String head = q < 0 ? s : s.substring(0, q);
    if (head.endsWith("/")) {
      head = head.substring(0, head.length() - 1);
    }
    return URI.create(head + defaultPath + (q < 0 ? "" : s.substring(q)));
  }

  /** Why the channel stopped for good. */
  public enum End {
    /** The API answered the upgrade with 401 or 403: the token is wrong, expired or revoked. */
    AUTH_REFUSED,
    /**
     * The API answered the upgrade with 400 or 404: wrong URL path or join parameters (a
     * configuration or version problem that retrying will not fix).
     */
    REJECTED,
    /** No connection for longer than {@code giveUpAfter}. */
    UNREACHABLE,
    /**
     * The API's TLS certificate is not trusted (unknown CA, expired) or does not name the host of
     * the URL: a configuration problem (the CA file, the URL's host) that retrying will not fix.
     */
    UNTRUSTED,
    /** The API sent {@code disconnect} with {@code reconnect=false}. */
    DISCONNECTED,
    /** {@link #close()} was called. */
    CLOSED
  }

  /** Receives the channel's events, one at a time, on the channel's thread. */
  public interface Listener<M extends Message> {
    /** The WebSocket is open (the API's {@code init} follows). */
    void onOpen();

    /** A decoded message. Undecodable frames are logged and skipped. */
    void onMessage(Envelope<M> envelope);

    /** The connection was lost or could not be made; a reconnect is scheduled. */
    void onClosed(String reason);

    /** The channel stopped for good. */
    void onEnd(End end, String reason);
  }

  /**
   * How to reach the API.
   *
   * @param uri the API's ws:// or wss:// URL, without credentials
   * @param token the bearer token
   * @param joinParams appended as a query string (e.g. {@code public_key})
   * @param giveUpAfter end with {@link End#UNREACHABLE} after this long without a connection;
   *     {@link Duration#ZERO} retries forever
   * @param pingInterval how often to ping the API; a connection that hears nothing (no pong, no
   *     message) for three intervals is dropped and redialed (a half-open TCP connection would
   *     otherwise look connected forever). {@link Duration#ZERO} disables it
   * @param caFile PEM bundle of the CAs to trust for {@code wss://} instead of the JDK's trust
   *     store; null uses the JDK's
   */
  public record Options(
      URI uri,
      String token,
      Map<String, String> joinParams,
      Backoff backoff,
      Duration connectTimeout,
      Duration giveUpAfter,
      Duration pingInterval,
      Path caFile) {
    public Options {
      Objects.requireNonNull(uri, "uri");
      Objects.requireNonNull(token, "token");
      joinParams = Map.copyOf(joinParams);
      backoff = backoff == null ? Backoff.defaults() : backoff;
      connectTimeout = connectTimeout == null ? Duration.ofSeconds(10) : connectTimeout;
      giveUpAfter = giveUpAfter == null ? Duration.ZERO : giveUpAfter;
      pingInterval = pingInterval == null ? DEFAULT_PING_INTERVAL : pingInterval;
    }

    /** Options trusting the JDK's trust store. */
    public Options(
        URI uri,
        String token,
        Map<String, String> joinParams,
        Backoff backoff,
        Duration connectTimeout,
        Duration giveUpAfter,
        Duration pingInterval) {
      this(uri, token, joinParams, backoff, connectTimeout, giveUpAfter, pingInterval, null);
    }

    /** Options with the default ping interval, trusting the JDK's trust store. */
    public Options(
        URI uri,
        String token,
        Map<String, String> joinParams,
        Backoff backoff,
        Duration connectTimeout,
        Duration giveUpAfter) {
      this(uri, token, joinParams, backoff, connectTimeout, giveUpAfter, null, null);
    }

    /** The same options with other join parameters and URI. */
    public Options with(URI newUri, Map<String, String> newJoinParams) {
      return new Options(
          newUri, token, newJoinParams, backoff, connectTimeout, giveUpAfter, pingInterval, caFile);
    }

    /** The same options trusting the CAs of {@code pemFile} (null: the JDK's trust store). */
    public Options withCaFile(Path pemFile) {
      return new Options(
          uri, token, joinParams, backoff, connectTimeout, giveUpAfter, pingInterval, pemFile);
    }

    /** The URI with the join parameters appended (sorted, URL-encoded). */
    public URI joinUri() {
      if (joinParams.isEmpty()) {
        return uri;
      }
      StringBuilder q = new StringBuilder(uri.getRawQuery() == null ? "" : uri.getRawQuery());
      joinParams.entrySet().stream()
          .sorted(Map.Entry.comparingByKey())
          .forEach(
              e ->
                  q.append(q.isEmpty() ? "" : "&")
                      .append(URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
                      .append('=')
                      .append(URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8)));
      String s = uri.toString();
      int cut = s.indexOf('?');
      return URI.create((cut < 0 ? s : s.substring(0, cut)) + "?" + q);
    }
  }

  private final Options options;
  private final Direction<M> direction;
  private final Listener<M> listener;
  private final ControlCodec codec = new ControlCodec();
  private final ScheduledExecutorService loop;
  private final HttpClient http;
  private final Object sendLock = new Object();

  // Owned by the loop thread.
  private int attempt;
  private long downSinceNanos;
  private int generation;
  private boolean serverSaidGoodbye;
  private boolean ended;

  private java.util.concurrent.ScheduledFuture<?> pinger;
  private CompletableFuture<WebSocket> lastPing = CompletableFuture.completedFuture(null);
  private volatile long lastHeardNanos;
  private volatile WebSocket socket;
  private volatile boolean connected;

  /**
   * A channel, not yet dialing.
   *
   * @throws IllegalArgumentException naming the file when {@link Options#caFile()} cannot be read
   */
  public ControlChannel(Options options, Direction<M> direction, Listener<M> listener) {
    this.options = options;
    this.direction = direction;
    this.listener = listener;
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> Thread.ofPlatform().name("control-channel").daemon().unstarted(r));
    HttpClient.Builder builder = HttpClient.newBuilder().connectTimeout(options.connectTimeout());
    if (options.caFile() != null) {
      builder.sslContext(TrustedCa.sslContext(options.caFile()));
    }
    this.http = builder.build();
  }

  /** Starts dialing; returns at once. */
  public ControlChannel<M> start() {
    loop.execute(
        () -> {
          downSinceNanos = System.nanoTime();
          connect();
        });
    return this;
  }

  /** Whether the WebSocket is open now. */
  public boolean isConnected() {
    return connected;
  }

  /**
   * Sends one envelope; returns false when not connected or the send failed (the caller's state is
   * re-synced by the API's next {@code init}). Blocks at most 10 s.
   */
  public boolean send(Envelope<? extends Message> envelope) {
    WebSocket ws = socket;
    if (ws == null) {
      return false;
    }
    String text = codec.encode(envelope);
    synchronized (sendLock) {
      try {
        ws.sendText(text, true).get(10, TimeUnit.SECONDS);
        return true;
      } catch (Exception e) {
        LOG.log(System.Logger.Level.WARNING, "send of " + envelope.event() + " failed: " + e);
        return false;
      }
    }
  }

  private void connect() {
    if (ended) {
      return;
    }
    int gen = ++generation;
    serverSaidGoodbye = false;
    http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + options.token())
        .connectTimeout(options.connectTimeout())
        .buildAsync(options.joinUri(), new Frames(gen))
        .whenComplete(
            (ws, err) -> {
              // Success is reported by Frames.onOpen, which the JDK calls before any frame, so
              // "open" reaches the loop ahead of the first message.
              if (err != null) {
                runOnLoop(() -> connected(gen, null, err));
              }
            });
  }

  private void connected(int gen, WebSocket ws, Throwable err) {
    if (gen != generation || ended) {
      if (ws != null) {
        ws.abort();
      }
      return;
    }
    if (err != null) {
      Throwable cause = err.getCause() != null ? err.getCause() : err;
      if (cause instanceof WebSocketHandshakeException h) {
        int status = h.getResponse().statusCode();
        if (status == 401 || status == 403) {
          end(End.AUTH_REFUSED, "the API refused the token (HTTP " + status + ")");
          return;
        }
        if (status == 400 || status == 404) {
          String body = h.getResponse().body() instanceof String b ? ": " + b : "";
          end(End.REJECTED, "the API rejected the join (HTTP " + status + ")" + body);
          return;
        }
        lost(gen, "upgrade refused with HTTP " + status);
        return;
      }
      String untrusted = untrusted(cause);
      if (untrusted != null) {
        end(End.UNTRUSTED, untrusted);
        return;
      }
      lost(gen, "cannot connect to " + options.uri() + ": " + cause);
      return;
    }
    if (socket == ws) {
      return;
    }
    attempt = 0;
    downSinceNanos = -1;
    socket = ws;
    connected = true;
    lastHeardNanos = System.nanoTime();
    long every = options.pingInterval().toMillis();
    if (every > 0) {
      pinger =
          loop.scheduleAtFixedRate(() -> keepalive(gen, ws), every, every, TimeUnit.MILLISECONDS);
    }
    listener.onOpen();
  }

  /**
   * A message saying why the API's certificate was refused, when {@code failure} is a TLS handshake
   * failing on the certificate (unknown CA, expired, wrong host); else null.
   */
  private String untrusted(Throwable failure) {
    Throwable handshake = null;
    boolean certificate = false;
    for (Throwable t = failure; t != null; t = t.getCause()) {
      if (t instanceof SSLHandshakeException) {
        handshake = t;
      }
      if (t instanceof CertificateException || t instanceof CertPathBuilderException) {
        certificate = true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    if (handshake == null || !certificate) {
      return null;
    }
    String trust =
        options.caFile() == null
            ? "the JDK's trust store (give the API's CA with a CA file, e.g. --ca-file or"
                + " GATEHOUSE_API_CA_FILE)"
            : "the CA file " + options.caFile();
    return "the API's TLS certificate is not trusted for "
        + options.uri().getHost()
        + ": "
        + handshake.getMessage()
        + "; trusting "
        + trust;
  }

  /** On the loop: drop a connection that stopped answering, else ping it. */
  private void keepalive(int gen, WebSocket ws) {
    if (gen != generation || ended || socket != ws) {
      return;
    }
    long silent = System.nanoTime() - lastHeardNanos;
    if (silent > 3 * options.pingInterval().toNanos()) {
      lost(gen, "no answer from the API for " + Duration.ofNanos(silent).toMillis() + " ms");
      return;
    }
    if (lastPing.isDone()) {
      lastPing = ws.sendPing(java.nio.ByteBuffer.wrap(new byte[] {'g', 'h'}));
    }
  }

  private void stopPinger() {
    if (pinger != null) {
      pinger.cancel(false);
      pinger = null;
    }
  }

  private void lost(int gen, String reason) {
    if (gen != generation || ended) {
      return;
    }
    stopPinger();
    generation++; // late callbacks of this socket are ignored from now on
    WebSocket ws = socket;
    socket = null;
    connected = false;
    if (ws != null) {
      ws.abort();
    }
    if (downSinceNanos < 0) {
      downSinceNanos = System.nanoTime();
    }
    listener.onClosed(reason);
    if (serverSaidGoodbye) {
      end(End.DISCONNECTED, reason);
      return;
    }
    long down = System.nanoTime() - downSinceNanos;
    if (!options.giveUpAfter().isZero() && down > options.giveUpAfter().toNanos()) {
      end(
          End.UNREACHABLE,
          "no connection for " + Duration.ofNanos(down).toSeconds() + " s; last: " + reason);
      return;
    }
    Duration delay = options.backoff().delay(attempt++, ThreadLocalRandom.current().nextDouble());
    loop.schedule(this::connect, delay.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void end(End end, String reason) {
    if (ended) {
      return;
    }
    ended = true;
    connected = false;
    stopPinger();
    WebSocket ws = socket;
    socket = null;
    if (ws != null) {
      ws.abort();
    }
    listener.onEnd(end, reason);
  }

  private void deliver(int gen, String text) {
    if (gen != generation || ended) {
      return;
    }
    switch (codec.decode(text, direction)) {
      case Decoded.Ok<M> ok -> {
        if (ok.envelope().payload() instanceof Disconnect d && !d.reconnect()) {
          serverSaidGoodbye = true;
        }
        listener.onMessage(ok.envelope());
      }
      case Decoded.Failed<M> failed ->
          LOG.log(System.Logger.Level.WARNING, "undecodable frame skipped: " + failed.error());
    }
  }

  private void runOnLoop(Runnable r) {
    try {
      loop.execute(r);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // closed
    }
  }

  /** Stops reconnecting, closes the socket and ends with {@link End#CLOSED}. */
  @Override
  public void close() {
    if (loop.isShutdown()) {
      return;
    }
    CompletableFuture<Void> done = new CompletableFuture<>();
    runOnLoop(
        () -> {
          WebSocket ws = socket;
          if (ws != null) {
            try {
              ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(1, TimeUnit.SECONDS);
            } catch (Exception e) {
              // closing anyway
            }
          }
          end(End.CLOSED, "closed");
          done.complete(null);
        });
    try {
      done.get(3, TimeUnit.SECONDS);
    } catch (Exception e) {
      // fall through
    }
    loop.shutdownNow();
  }

  /** Collects (possibly fragmented) text frames and hands them to the loop. */
  private final class Frames implements WebSocket.Listener {
    private final int gen;
    private final StringBuilder partial = new StringBuilder();

    Frames(int gen) {
      this.gen = gen;
    }

    @Override
    public void onOpen(WebSocket ws) {
      runOnLoop(() -> connected(gen, ws, null));
      ws.request(1);
    }

    @Override
    public CompletionStage<?> onPong(WebSocket ws, java.nio.ByteBuffer message) {
      lastHeardNanos = System.nanoTime();
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onPing(WebSocket ws, java.nio.ByteBuffer message) {
      lastHeardNanos = System.nanoTime();
      return WebSocket.Listener.super.onPing(ws, message);
    }

    @Override
    public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
      lastHeardNanos = System.nanoTime();
      if (partial.length() + data.length() > ControlCodec.MAX_FRAME_CHARS + 1) {
        partial.setLength(0);
        runOnLoop(() -> lost(gen, "frame larger than " + ControlCodec.MAX_FRAME_CHARS));
        return null;
      }
      partial.append(data);
      if (last) {
        String text = partial.toString();
        partial.setLength(0);
        runOnLoop(() -> deliver(gen, text));
      }
      ws.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket ws, int status, String reason) {
      runOnLoop(() -> lost(gen, "closed by the API: " + status + " " + reason));
      return null;
    }

    @Override
    public void onError(WebSocket ws, Throwable error) {
      runOnLoop(() -> lost(gen, "connection error: " + error));
    }
  }
}
