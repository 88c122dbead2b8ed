package dev.gatehouse.tunnel.wireguard;

import java.util.function.LongUnaryOperator;

/**
 * The per-peer timer state machine of §6, shaped like wireguard-go's {@code timers.go}: events arm
 * or disarm deadlines, and {@link #expired(long)} reports which deadlines have passed. Time is
 * always an argument (monotonic nanoseconds); nothing here sleeps or schedules. Not thread-safe;
 * its {@link Peer} serializes access.
 */
final class Timers {
  private static final long NONE = Long.MIN_VALUE;

  /** Retransmit the initiation (§6.4); or give up when attempts are exhausted. */
  static final int RETRANSMIT_HANDSHAKE = 1;

  /** Passive keepalive (§6.5): data arrived and we sent nothing for KEEPALIVE_TIMEOUT. */
  static final int SEND_KEEPALIVE = 1 << 1;

  /** Sent data but heard nothing for KEEPALIVE_TIMEOUT + REKEY_TIMEOUT (§6.5): rehandshake. */
  static final int NEW_HANDSHAKE = 1 << 2;

  /** No new session for 3 × REJECT_AFTER_TIME (§6.3): erase all keys. */
  static final int ZERO_KEYS = 1 << 3;

  /** Persistent keepalive interval elapsed with no authenticated packet sent. */
  static final int PERSISTENT_KEEPALIVE = 1 << 4;

  private final TimerConfig config;
  private final LongUnaryOperator jitter; // bound (nanos) -> random value in [0, bound)
  private long persistentKeepaliveNanos;

  private long retransmitHandshakeAt = NONE;
  private long sendKeepaliveAt = NONE;
  private long newHandshakeAt = NONE;
  private long zeroKeysAt = NONE;
  private long persistentKeepaliveAt = NONE;
  private boolean needAnotherKeepalive;
  private int handshakeAttempts;

  Timers(TimerConfig config, LongUnaryOperator jitter, long persistentKeepaliveNanos) {
    this.config = config;
    this.jitter = jitter;
    this.persistentKeepaliveNanos = persistentKeepaliveNanos;
  }

  int handshakeAttempts() {
    return handshakeAttempts;
  }

  void setPersistentKeepalive(long nanos, long now) {
    persistentKeepaliveNanos = nanos;
    persistentKeepaliveAt = nanos > 0 ? now + nanos : NONE;
  }

  private long rekeyTimeoutWithJitter() {
    return config.rekeyTimeout().toNanos()
        + jitter.applyAsLong(config.rekeyTimeoutJitterMax().toNanos());
  }

  /** An encrypted data (non-keepalive) packet was sent. */
  void dataSent(long now) {
    if (newHandshakeAt == NONE) {
      newHandshakeAt = now + config.keepaliveTimeout().toNanos() + rekeyTimeoutWithJitter();
    }
  }

  /** An authenticated data (non-keepalive) packet was received. */
  void dataReceived(long now) {
    if (sendKeepaliveAt == NONE) {
      sendKeepaliveAt = now + config.keepaliveTimeout().toNanos();
    } else {
      needAnotherKeepalive = true;
    }
  }

  /** Any authenticated packet (data, keepalive, handshake) was sent. */
  void anyAuthenticatedPacketSent() {
    sendKeepaliveAt = NONE;
  }

  /** Any authenticated packet was received. */
  void anyAuthenticatedPacketReceived() {
    newHandshakeAt = NONE;
  }

  /** Any authenticated packet was sent or received: restart the persistent keepalive. */
  void anyAuthenticatedPacketTraversal(long now) {
    if (persistentKeepaliveNanos > 0) {
      persistentKeepaliveAt = now + persistentKeepaliveNanos;
    }
  }

  /** An initiation was sent. */
  void handshakeInitiated(long now) {
    retransmitHandshakeAt = now + rekeyTimeoutWithJitter();
  }

  /** A handshake completed (we consumed a response, or saw the first packet as responder). */
  void handshakeComplete() {
    retransmitHandshakeAt = NONE;
    handshakeAttempts = 0;
  }

  /** A new keypair was derived. */
  void sessionDerived(long now) {
    zeroKeysAt = now + 3L * config.rejectAfterTime().toNanos();
  }

  /**
   * Returns the bitmask of deadlines that passed at {@code now} and disarms them. A retransmit
   * counts an attempt; {@link #handshakeAttemptsExhausted()} tells whether to give up.
   */
  int expired(long now) {
    int fired = 0;
    if (retransmitHandshakeAt != NONE && now - retransmitHandshakeAt >= 0) {
      retransmitHandshakeAt = NONE;
      fired |= RETRANSMIT_HANDSHAKE;
    }
    if (sendKeepaliveAt != NONE && now - sendKeepaliveAt >= 0) {
      sendKeepaliveAt = NONE;
      fired |= SEND_KEEPALIVE;
      if (needAnotherKeepalive) {
        needAnotherKeepalive = false;
        sendKeepaliveAt = now + config.keepaliveTimeout().toNanos();
      }
    }
    if (newHandshakeAt != NONE && now - newHandshakeAt >= 0) {
      newHandshakeAt = NONE;
      fired |= NEW_HANDSHAKE;
    }
    if (zeroKeysAt != NONE && now - zeroKeysAt >= 0) {
      zeroKeysAt = NONE;
      fired |= ZERO_KEYS;
    }
    if (persistentKeepaliveAt != NONE && now - persistentKeepaliveAt >= 0) {
      persistentKeepaliveAt = NONE;
      fired |= PERSISTENT_KEEPALIVE;
    }
    return fired;
  }

  /** Counts a retransmission; true when REKEY_ATTEMPT_TIME is used up and we must give up. */
  boolean countRetransmission() {
    if (handshakeAttempts >= config.maxHandshakeAttempts()) {
      return true;
    }
    handshakeAttempts++;
    return false;
  }

  /** After giving up: stop keepalives and arm key zeroing if not armed. */
  void gaveUp(long now) {
    sendKeepaliveAt = NONE;
    handshakeAttempts = 0;
    if (zeroKeysAt == NONE) {
      zeroKeysAt = now + 3L * config.rejectAfterTime().toNanos();
    }
  }

  /** Disarms everything (peer removed or keys zeroed). */
  void stopAll() {
    retransmitHandshakeAt = NONE;
    sendKeepaliveAt = NONE;
    newHandshakeAt = NONE;
    zeroKeysAt = NONE;
    persistentKeepaliveAt = NONE;
    needAnotherKeepalive = false;
    handshakeAttempts = 0;
  }
}
