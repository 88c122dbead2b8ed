package dev.gatehouse.tunnel.wireguard;

import java.time.Duration;

/**
 * The timer values of §6.1. {@link #defaults()} are the whitepaper's; tests and interop runs may
 * shorten them (e.g. a 10 s REKEY_AFTER_TIME to observe a rekey quickly).
 */
public record TimerConfig(
    Duration rekeyAfterTime,
    Duration rejectAfterTime,
    Duration rekeyAttemptTime,
    Duration rekeyTimeout,
    Duration rekeyTimeoutJitterMax,
    Duration keepaliveTimeout,
    long rekeyAfterMessages,
    long rejectAfterMessages) {

  /** The whitepaper's values. */
  public static TimerConfig defaults() {
    return new TimerConfig(
        Protocol.REKEY_AFTER_TIME,
        Protocol.REJECT_AFTER_TIME,
        Protocol.REKEY_ATTEMPT_TIME,
        Protocol.REKEY_TIMEOUT,
        Protocol.REKEY_TIMEOUT_JITTER_MAX,
        Protocol.KEEPALIVE_TIMEOUT,
        Protocol.REKEY_AFTER_MESSAGES,
        Protocol.REJECT_AFTER_MESSAGES);
  }

  /** A copy with another REKEY_AFTER_TIME. */
  public TimerConfig withRekeyAfterTime(Duration d) {
    return new TimerConfig(
        d,
        rejectAfterTime,
        rekeyAttemptTime,
        rekeyTimeout,
        rekeyTimeoutJitterMax,
        keepaliveTimeout,
        rekeyAfterMessages,
        rejectAfterMessages);
  }

  /** A copy with other message limits (tests of REKEY/REJECT_AFTER_MESSAGES). */
  public TimerConfig withMessageLimits(long rekeyAfter, long rejectAfter) {
    return new TimerConfig(
        rekeyAfterTime,
        rejectAfterTime,
        rekeyAttemptTime,
        rekeyTimeout,
        rekeyTimeoutJitterMax,
        keepaliveTimeout,
        rekeyAfter,
        rejectAfter);
  }

  /** Number of initiation attempts before giving up: REKEY_ATTEMPT_TIME / REKEY_TIMEOUT. */
  public int maxHandshakeAttempts() {
    return (int) (rekeyAttemptTime.toNanos() / rekeyTimeout.toNanos());
  }
}
