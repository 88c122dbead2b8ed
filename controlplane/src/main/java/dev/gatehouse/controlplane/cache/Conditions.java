package dev.gatehouse.controlplane.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Parses a policy's conditions ({@code policies.conditions} JSON plus {@code expires_at}) and
 * evaluates them for a client at an instant. Pure.
 *
 * <p>JSON format: an array of objects {@code {"property", "operator", "values"[, "timezone"]}}:
 *
 * <ul>
 *   <li>{@code current_utc_datetime} / {@code is_in_day_of_week_time_ranges}, values like {@code
 *       "MON 09:00-17:00"} or {@code "SAT"} (all day), {@code timezone} an IANA zone (default UTC);
 *   <li>{@code remote_ip} / {@code is_in_cidr} or {@code is_not_in_cidr}, values CIDRs or IPs;
 *   <li>{@code client_verified} / {@code is}, values {@code ["true"]} or {@code ["false"]}.
 * </ul>
 *
 * Anything else parses to {@link Condition.Unsupported}, which never holds: an unknown condition
 * denies access rather than being ignored.
 */
public final class Conditions {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The outcome of evaluating all conditions of a policy. */
  public record Evaluation(boolean holds, Instant expiresAt, List<String> violated) {}

  private Conditions() {}

  /** Parses conditions; returns an empty list for null, blank or {@code []}. */
  public static List<Condition> parse(String json, Instant expiresAt) {
    List<Condition> out = new ArrayList<>();
    if (json != null && !json.isBlank()) {
      JsonNode root;
      try {
        root = JSON.readTree(json);
      } catch (Exception e) {
        root = null;
      }
      if (root == null || !root.isArray()) {
        out.add(new Condition.Unsupported("conditions", "not a JSON array"));
      } else {
        for (JsonNode node : root) {
          out.add(parseOne(node));
        }
      }
    }
    if (expiresAt != null) {
      out.add(new Condition.ExpiresAt(expiresAt));
    }
    return out;
  }

  private static Condition parseOne(JsonNode node) {
    String property = node.path("property").asText("");
    String operator = node.path("operator").asText("");
    List<String> values = new ArrayList<>();
    node.path("values").forEach(v -> values.add(v.asText()));
    try {
      return switch (property + " " + operator) {
        case "current_utc_datetime is_in_day_of_week_time_ranges" -> {
          ZoneId zone = ZoneId.of(node.path("timezone").asText("UTC"));
          List<Condition.Window> windows = new ArrayList<>();
          for (String v : values) {
            windows.add(window(v));
          }
          yield new Condition.TimeWindows(zone, windows);
        }
        case "remote_ip is_in_cidr", "remote_ip is_not_in_cidr" -> {
          List<Cidr> cidrs = new ArrayList<>();
          for (String v : values) {
            cidrs.add(Cidr.parse(v));
          }
          yield new Condition.RemoteIpInCidrs(cidrs, operator.equals("is_not_in_cidr"));
        }
        case "client_verified is" ->
            new Condition.ClientVerified(values.isEmpty() || Boolean.parseBoolean(values.get(0)));
        default -> new Condition.Unsupported(property, "unknown operator " + operator);
      };
    } catch (RuntimeException e) {
      return new Condition.Unsupported(property, e.getMessage());
    }
  }

  /** {@code "MON 09:00-17:00"}, {@code "MON 18:00-24:00"} or {@code "MON"} (the whole day). */
  static Condition.Window window(String text) {
    String[] parts = text.strip().split("\\s+");
    DayOfWeek day = dayOfWeek(parts[0]);
    if (parts.length == 1) {
      return new Condition.Window(day, LocalTime.MIDNIGHT, null);
    }
    String[] range = parts[1].split("-");
    if (parts.length != 2 || range.length != 2) {
      throw new IllegalArgumentException("bad time window " + text);
    }
    LocalTime start = LocalTime.parse(range[0]);
    LocalTime end = range[1].equals("24:00") ? null : LocalTime.parse(range[1]);
    if (end != null && !end.isAfter(start)) {
      throw new IllegalArgumentException("empty time window " + text);
    }
    return new Condition.Window(day, start, end);
  }

  private static DayOfWeek dayOfWeek(String s) {
    String u = s.toUpperCase(Locale.ROOT);
    for (DayOfWeek d : DayOfWeek.values()) {
      if (d.name().startsWith(u) && u.length() >= 2) {
        return d;
      }
    }
    throw new IllegalArgumentException("bad day " + s);
  }

  /** Whether every condition holds; allocation-free for the common cases. */
  public static boolean holds(List<Condition> conditions, ClientContext client, Instant now) {
    for (Condition c : conditions) {
      if (!holds(c, client, now)) {
        return false;
      }
    }
    return true;
  }

  /**
   * Evaluates all conditions: whether they hold, until when they keep holding (the earliest end of
   * the current time window or the policy expiry; null = no end), and which are violated.
   */
  public static Evaluation evaluate(List<Condition> conditions, ClientContext client, Instant now) {
    Set<String> violated = new LinkedHashSet<>();
    Instant until = null;
    for (Condition c : conditions) {
      if (!holds(c, client, now)) {
        violated.add(c.property());
        continue;
      }
      Instant end =
          switch (c) {
            case Condition.ExpiresAt e -> e.at();
            case Condition.TimeWindows w -> windowEnd(w, now);
            default -> null;
          };
      if (end != null && (until == null || end.isBefore(until))) {
        until = end;
      }
    }
    return new Evaluation(violated.isEmpty(), until, List.copyOf(violated));
  }

  static boolean holds(Condition c, ClientContext client, Instant now) {
    return switch (c) {
      case Condition.ExpiresAt e -> now.isBefore(e.at());
      case Condition.ClientVerified v -> !v.required() || client.verified();
      case Condition.RemoteIpInCidrs r -> {
        boolean in = false;
        for (Cidr cidr : r.networks()) {
          if (cidr.contains(client.remoteIp())) {
            in = true;
            break;
          }
        }
        // An unknown remote IP satisfies neither "in" nor "not in".
        yield client.remoteIp() != null && in != r.negated();
      }
      case Condition.TimeWindows w -> windowEnd(w, now) != null;
      case Condition.Unsupported u -> false;
    };
  }

  /** The end of the window containing {@code now}, or null if {@code now} is in none. */
  static Instant windowEnd(Condition.TimeWindows w, Instant now) {
    ZonedDateTime local = now.atZone(w.zone());
    LocalTime time = local.toLocalTime();
    Instant best = null;
    for (Condition.Window win : w.windows()) {
      if (win.day() == local.getDayOfWeek()
          && !time.isBefore(win.start())
          && (win.end() == null || time.isBefore(win.end()))) {
        ZonedDateTime end =
            win.end() == null
                ? local.toLocalDate().plusDays(1).atStartOfDay(w.zone())
                : local.toLocalDate().atTime(win.end()).atZone(w.zone());
        if (best == null || end.toInstant().isAfter(best)) {
          best = end.toInstant();
        }
      }
    }
    return best;
  }
}
