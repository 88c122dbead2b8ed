package dev.gatehouse.gateway.control;

import java.time.Instant;
import java.time.InstantSource;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Where the gateway's control channel to the API stands. The control-channel client reports its
 * transitions here; readiness and metrics read {@link #current()}. Thread-safe: one immutable
 * {@link Status} swapped atomically.
 *
 * <p>It starts {@link Phase#DISCONNECTED} with the reason {@value #NOT_CONNECTED}: until a client
 * reports {@link #connected()}, the gateway cannot receive flows and must not be ready.
 */
public final class ControlChannelState {

  /** The reason reported before any connection attempt. */
  public static final String NOT_CONNECTED = "control channel not connected";

  /** The control channel's phase. */
  public enum Phase {
    /** Dialing or authenticating; not ready yet. */
    CONNECTING,
    /** Authenticated and receiving updates: the gateway is ready. */
    CONNECTED,
    /** No connection (never connected, lost, or shut down); the reason says which. */
    DISCONNECTED
  }

  /**
   * One observation of the channel.
   *
   * @param phase the phase
   * @param reason why the channel is in this phase; empty when connected
   * @param since when the phase was entered
   */
  public record Status(Phase phase, String reason, Instant since) {
    public Status {
      Objects.requireNonNull(phase, "phase");
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(since, "since");
    }

    public boolean isConnected() {
      return phase == Phase.CONNECTED;
    }
  }

  private final InstantSource clock;
  private final AtomicReference<Status> current;

  public ControlChannelState(InstantSource clock) {
    this.clock = Objects.requireNonNull(clock, "clock");
    this.current =
        new AtomicReference<>(new Status(Phase.DISCONNECTED, NOT_CONNECTED, clock.instant()));
  }

  public Status current() {
    return current.get();
  }

  /** The client is dialing or authenticating, e.g. {@code "connecting to wss://api:8443"}. */
  public void connecting(String reason) {
    set(Phase.CONNECTING, reason);
  }

  /** The channel is up and authenticated. */
  public void connected() {
    set(Phase.CONNECTED, "");
  }

  /** The channel is down, e.g. {@code "closed by server: 1011"} or {@code "shutting down"}. */
  public void disconnected(String reason) {
    set(Phase.DISCONNECTED, reason);
  }

  private void set(Phase phase, String reason) {
    Objects.requireNonNull(reason, "reason");
    // Keep "since" when nothing changes, so a retry loop doesn't reset it.
    current.updateAndGet(
        old ->
            old.phase() == phase && old.reason().equals(reason)
                ? old
                : new Status(phase, reason, clock.instant()));
  }
}
