package dev.gatehouse.apinode.channel;

import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.RelaysPresence;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What client and gateway channels share: the transport, the serial task queue every input goes
 * through, frame and error handling, and closing. Inputs (frames, changes, node messages, timers)
 * are submitted with {@link #submit}; a failing task is logged and counted, never fatal.
 */
public abstract sealed class PeerChannel permits ClientChannel, GatewayChannel {

  private static final Logger LOG = LoggerFactory.getLogger(PeerChannel.class);

  protected final NodeServices services;
  protected final ChannelTransport transport;
  private final SerialExecutor serial;
  private final UUID accountId;
  private final UUID tokenId;
  private final Instant tokenExpiresAt;
  private volatile boolean closed;
  private ScheduledFuture<?> expiry;
  private volatile ScheduledFuture<?> relayRefresh;

  protected PeerChannel(
      NodeServices services,
      ChannelTransport transport,
      UUID accountId,
      UUID tokenId,
      Instant tokenExpiresAt) {
    this.services = services;
    this.transport = transport;
    this.serial = new SerialExecutor(services.tasks());
    this.accountId = accountId;
    this.tokenId = tokenId;
    this.tokenExpiresAt = tokenExpiresAt;
  }

  /** Starts the join (upsert, presence, hydration, {@code init}) as the first task. */
  public final void start() {
    submit(
        () -> {
          services.joinPermits().acquire();
          try {
            join();
          } finally {
            services.joinPermits().release();
          }
          if (tokenExpiresAt != null && !closed) {
            long ms = Duration.between(services.clock().instant(), tokenExpiresAt).toMillis();
            expiry =
                services
                    .scheduler()
                    .schedule(
                        () -> submit(() -> close("token expired", false)),
                        Math.max(0, ms),
                        TimeUnit.MILLISECONDS);
          }
        });
  }

  /** Upserts the peer, registers it, hydrates its cache and sends {@code init}. */
  protected abstract void join() throws Exception;

  /** Handles one text frame from the peer (on the channel's task queue). */
  protected abstract void frame(String text, Instant now) throws Exception;

  /** Applies one change (on the channel's task queue). */
  protected abstract void change(Change<?> change, Instant now) throws Exception;

  /** Releases presence and registrations after the transport closed. */
  protected abstract void cleanup() throws Exception;

  /** Frames a peer may send per second; more are dropped (a flood must not grow the queue). */
  public static final int MAX_FRAMES_PER_SECOND = 200;

  private long windowStartNanos = System.nanoTime();
  private int framesInWindow;
  private boolean limitReported;

  /**
   * A text frame arrived. Called from one thread at a time (the connection's event loop); frames
   * beyond {@link #MAX_FRAMES_PER_SECOND} in the current second are dropped and counted, and the
   * peer is told once per second with a {@code rate_limited} error.
   */
  public final void onFrame(String text) {
    long now = System.nanoTime();
    if (now - windowStartNanos >= 1_000_000_000L) {
      windowStartNanos = now;
      framesInWindow = 0;
      limitReported = false;
    }
    if (++framesInWindow > MAX_FRAMES_PER_SECOND) {
      services.metrics().droppedFrames.incrementAndGet();
      if (!limitReported) {
        limitReported = true;
        submit(
            () ->
                send(
                    Envelope.of(
                        null,
                        new ErrorReply(
                            "rate_limited",
                            "more than "
                                + MAX_FRAMES_PER_SECOND
                                + " messages in a second; the rest of this second is dropped"))));
      }
      return;
    }
    submit(() -> frame(text, services.clock().instant()));
  }

  /** A binary frame arrived: not part of the protocol. */
  public final void onBinaryFrame() {
    submit(
        () -> {
          send(
              Envelope.of(
                  null,
                  new ErrorReply("malformed_json", "binary frames are not part of the protocol")));
        });
  }

  /** A change routed by the hub. */
  public final void onChange(Change<?> change) {
    submit(() -> change(change, services.clock().instant()));
  }

  /** The transport closed (peer went away or we closed it). */
  public final void onTransportClosed() {
    submit(
        () -> {
          closed = true;
          if (expiry != null) {
            expiry.cancel(false);
          }
          ScheduledFuture<?> refresh = relayRefresh;
          if (refresh != null) {
            refresh.cancel(false);
          }
          cleanup();
        });
  }

  /**
   * Sends fresh relay credentials ({@code relays_presence}) when three quarters of the life of
   * those just handed out has passed, and again for each new set, so a peer connected for longer
   * than their lifetime keeps its relays. Stops when a new set would expire no later than the last
   * (a client's credentials end with its token, and so does its channel). On the channel's queue.
   */
  protected final void keepRelaysFresh(List<Relay> handedOut, Function<Instant, List<Relay>> mint) {
    if (handedOut.isEmpty() || closed) {
      return;
    }
    long expiresAt = handedOut.stream().mapToLong(Relay::expiresAt).min().getAsLong();
    long lifeMs = expiresAt * 1000 - services.clock().instant().toEpochMilli();
    relayRefresh =
        later(
            () -> {
              if (closed) {
                return;
              }
              List<Relay> fresh = mint.apply(services.clock().instant());
              if (fresh.stream().mapToLong(Relay::expiresAt).min().orElse(0) <= expiresAt) {
                return;
              }
              send(Envelope.of(null, new RelaysPresence(List.of(), fresh)));
              keepRelaysFresh(fresh, mint);
            },
            Math.max(RELAY_REFRESH_MIN_MILLIS, lifeMs * 3 / 4));
  }

  /** Runs {@code task} on the channel's queue after {@code millis}. */
  protected final ScheduledFuture<?> later(Task task, long millis) {
    return services.scheduler().schedule(() -> submit(task), millis, TimeUnit.MILLISECONDS);
  }

  /** Never sooner than this, however short the credentials' life. */
  static final long RELAY_REFRESH_MIN_MILLIS = 1_000;

  /** Closes the channel after telling the peer why. */
  public final void disconnect(String reason) {
    disconnect(reason, false);
  }

  /** Closes the channel; {@code reconnect} tells the peer whether to come back (elsewhere). */
  public final void disconnect(String reason, boolean reconnect) {
    submit(() -> close(reason, reconnect));
  }

  protected final void close(String reason, boolean reconnect) {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("closing {} channel of account {}: {}", kind(), accountId, reason);
    send(Envelope.of(null, new Disconnect(reason, reconnect)));
    transport.close(reason);
  }

  /** Encodes and sends; every error reply counts as a rejected frame. */
  protected final void send(Envelope<?> envelope) {
    if (envelope.payload() instanceof ErrorReply) {
      services.metrics().rejectedFrames.incrementAndGet();
    }
    transport.send(services.codec().encode(envelope));
  }

  protected final void reject(String ref, ErrorReply error) {
    send(Envelope.of(ref, error));
  }

  protected final void submit(Task task) {
    serial.execute(
        () -> {
          try {
            task.run();
          } catch (Exception e) {
            services.metrics().taskFailures.incrementAndGet();
            LOG.warn("{} channel task failed", kind(), e);
          }
        });
  }

  /** A unit of channel work. */
  @FunctionalInterface
  protected interface Task {
    void run() throws Exception;
  }

  protected abstract String kind();

  public final UUID accountId() {
    return accountId;
  }

  public final UUID tokenId() {
    return tokenId;
  }

  public final boolean isClosed() {
    return closed;
  }
}
