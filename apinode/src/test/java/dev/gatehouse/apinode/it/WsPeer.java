package dev.gatehouse.apinode.it;

import dev.gatehouse.protocol.ControlCodec;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.Message;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A protocol-level simulated client or gateway: a real WebSocket peer (the JDK's client) that sends
 * envelopes and collects what the API node pushes, decoded with the shared codec.
 */
final class WsPeer<M extends Message> implements AutoCloseable {

  static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ControlCodec CODEC = new ControlCodec();

  private final Direction<M> inbound;
  private final BlockingQueue<Envelope<M>> received = new LinkedBlockingQueue<>();
  private final List<Envelope<M>> seen = new ArrayList<>();
  final CompletableFuture<String> closed = new CompletableFuture<>();
  private WebSocket ws;
  private volatile Tap<M> tap;

  /** Sees every message on arrival (on the receiving thread); true = consumed, not queued. */
  @FunctionalInterface
  interface Tap<M extends Message> {
    boolean consume(Envelope<M> envelope, long arrivalNanos);
  }

  void tap(Tap<M> tap) {
    this.tap = tap;
  }

  private WsPeer(Direction<M> inbound) {
    this.inbound = inbound;
  }

  static String query(String externalId, String publicKey, String version, String extra) {
    return "?external_id="
        + enc(externalId)
        + "&public_key="
        + enc(publicKey)
        + "&version="
        + enc(version)
        + (extra == null ? "" : extra);
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  static <M extends Message> WsPeer<M> connect(
      int port, String path, String query, String token, Direction<M> inbound) {
    WsPeer<M> peer = new WsPeer<>(inbound);
    peer.ws =
        HTTP.newWebSocketBuilder()
            .header("Authorization", "Bearer " + token)
            .connectTimeout(Duration.ofSeconds(10))
            .buildAsync(URI.create("ws://127.0.0.1:" + port + path + query), peer.listener())
            .orTimeout(20, TimeUnit.SECONDS)
            .join();
    return peer;
  }

  /** A plain GET of a join URL (no upgrade): how a refused join answers. */
  static HttpResponse<String> tryJoin(int port, String path, String query, String token)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path + query))
            .timeout(Duration.ofSeconds(10));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private WebSocket.Listener listener() {
    return new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          String frame = text.toString();
          text.setLength(0);
          switch (CODEC.decode(frame, inbound)) {
            case Decoded.Ok<M> ok -> {
              Tap<M> t = tap;
              if (t == null || !t.consume(ok.envelope(), System.nanoTime())) {
                received.add(ok.envelope());
              }
            }
            case Decoded.Failed<M> f ->
                throw new AssertionError("API node sent an undecodable frame: " + f + " " + frame);
          }
        }
        webSocket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode + " " + reason);
        return null;
      }

      @Override
      public void onError(WebSocket webSocket, Throwable error) {
        closed.complete("error " + error);
      }
    };
  }

  void send(Envelope<?> envelope) {
    sendRaw(CODEC.encode(envelope));
  }

  /** A WebSocket ping (keeps the API node's idle timer from closing the channel). */
  void ping() {
    if (!ws.isOutputClosed()) {
      ws.sendPing(java.nio.ByteBuffer.allocate(0));
    }
  }

  boolean isClosed() {
    return closed.isDone();
  }

  void sendRaw(String text) {
    ws.sendText(text, true).orTimeout(10, TimeUnit.SECONDS).join();
  }

  /** The next envelope whose payload is a {@code type} and matches, skipping others (kept). */
  <T extends M> Envelope<T> await(Class<T> type, Predicate<T> match, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (seen) {
      for (int i = 0; i < seen.size(); i++) {
        Envelope<M> e = seen.get(i);
        if (type.isInstance(e.payload()) && match.test(type.cast(e.payload()))) {
          seen.remove(i);
          return cast(e);
        }
      }
    }
    while (true) {
      long left = deadline - System.nanoTime();
      Envelope<M> e = left <= 0 ? null : received.poll(left, TimeUnit.NANOSECONDS);
      if (e == null) {
        throw new AssertionError(
            "no " + type.getSimpleName() + " within " + timeout + "; other messages: " + seen);
      }
      if (type.isInstance(e.payload()) && match.test(type.cast(e.payload()))) {
        return cast(e);
      }
      synchronized (seen) {
        seen.add(e);
      }
    }
  }

  <T extends M> Envelope<T> await(Class<T> type) throws InterruptedException {
    return await(type, t -> true, Duration.ofSeconds(15));
  }

  @SuppressWarnings("unchecked")
  private static <T extends Message> Envelope<T> cast(Envelope<?> e) {
    return (Envelope<T>) e;
  }

  @Override
  public void close() {
    if (ws != null && !ws.isOutputClosed()) {
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
    }
    if (ws != null) {
      ws.abort();
    }
  }
}
