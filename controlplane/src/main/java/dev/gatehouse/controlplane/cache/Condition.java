package dev.gatehouse.controlplane.cache;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;

/**
 * One condition of a policy. Pure values; {@link Conditions} evaluates them. Each condition has the
 * {@link #property()} name reported when it is violated.
 */
public sealed interface Condition {

  String property();

  /** The current time falls in one of the weekly windows, in {@code zone}. */
  record TimeWindows(ZoneId zone, List<Window> windows) implements Condition {
    public TimeWindows {
      windows = List.copyOf(windows);
    }

    @Override
    public String property() {
      return "current_utc_datetime";
    }
  }

  /** [start, end) on a day of the week; {@code end == null} means until midnight. */
  record Window(DayOfWeek day, LocalTime start, LocalTime end) {}

  /** The client's remote IP is (or, with {@code negated}, is not) in one of the networks. */
  record RemoteIpInCidrs(List<Cidr> networks, boolean negated) implements Condition {
    public RemoteIpInCidrs {
      networks = List.copyOf(networks);
    }

    @Override
    public String property() {
      return "remote_ip";
    }
  }

  /** The client device is (or is not) verified by an admin. */
  record ClientVerified(boolean required) implements Condition {
    @Override
    public String property() {
      return "client_verified";
    }
  }

  /** The policy grants access only before {@code at} (the policy's {@code expires_at}). */
  record ExpiresAt(Instant at) implements Condition {
    @Override
    public String property() {
      return "expires_at";
    }
  }

  /** A condition this version does not understand; it never holds (fail closed). */
  record Unsupported(String property, String reason) implements Condition {}
}
