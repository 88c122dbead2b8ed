package dev.gatehouse.relay.turn;

import static dev.gatehouse.relay.stun.TurnProtocol.*;

import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the relay. The core updates them on its one thread; any thread may read them or
 * render them in the Prometheus text format ({@link #renderPrometheus}). No I/O.
 */
public final class RelayMetrics {

  /** Direction label of relayed traffic. */
  public enum Direction {
    CLIENT_TO_PEER,
    PEER_TO_CLIENT
  }

  private final AtomicLong allocations = new AtomicLong();
  private final LongAdder allocationsTotal = new LongAdder();
  private final LongAdder[] bytes = {new LongAdder(), new LongAdder()};
  private final LongAdder[] datagrams = {new LongAdder(), new LongAdder()};
  private final LongAdder[] dropped = new LongAdder[DropReason.values().length];
  private final Map<String, LongAdder> requests = new ConcurrentSkipListMap<>();
  private final Map<Integer, LongAdder> errorResponses = new ConcurrentHashMap<>();

  public RelayMetrics() {
    for (int i = 0; i < dropped.length; i++) {
      dropped[i] = new LongAdder();
    }
  }

  void allocationsNow(int count) {
    allocations.set(count);
  }

  void allocationCreated() {
    allocationsTotal.increment();
  }

  void relayed(Direction direction, int length) {
    bytes[direction.ordinal()].add(length);
    datagrams[direction.ordinal()].increment();
  }

  void drop(DropReason reason) {
    dropped[reason.ordinal()].increment();
  }

  void request(int method) {
    requests.computeIfAbsent(methodLabel(method), k -> new LongAdder()).increment();
  }

  void errorResponse(int code) {
    errorResponses.computeIfAbsent(code, k -> new LongAdder()).increment();
  }

  /** Current (active) allocations. */
  public long allocations() {
    return allocations.get();
  }

  /** Allocations created since start. */
  public long allocationsTotal() {
    return allocationsTotal.sum();
  }

  /** Payload bytes relayed in {@code direction}. */
  public long bytesRelayed(Direction direction) {
    return bytes[direction.ordinal()].sum();
  }

  /** Datagrams relayed in {@code direction}. */
  public long datagramsRelayed(Direction direction) {
    return datagrams[direction.ordinal()].sum();
  }

  /** Datagrams dropped for {@code reason}. */
  public long dropped(DropReason reason) {
    return dropped[reason.ordinal()].sum();
  }

  /** Error responses sent with {@code code}. */
  public long errorResponses(int code) {
    LongAdder a = errorResponses.get(code);
    return a == null ? 0 : a.sum();
  }

  /**
   * Payload bytes relayed, both directions, read back from {@link #renderPrometheus}'s text (as a
   * scraper sees it, e.g. a test reading a relay in another process); 0 when there are none.
   */
  public static long bytesRelayed(String prometheusText) {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile(
                "(?m)^gatehouse_relay_bytes_relayed_total\\{[^}]*} ([0-9]+)$")
            .matcher(prometheusText);
    long sum = 0;
    while (m.find()) {
      sum += Long.parseLong(m.group(1));
    }
    return sum;
  }

  /** All counters in the Prometheus text exposition format (version 0.0.4). */
  public String renderPrometheus() {
    StringBuilder out = new StringBuilder(2048);
    header(out, "gatehouse_relay_allocations", "gauge", "Allocations that hold a relayed port.");
    out.append("gatehouse_relay_allocations ").append(allocations()).append('\n');
    header(out, "gatehouse_relay_allocations_total", "counter", "Allocations created.");
    out.append("gatehouse_relay_allocations_total ").append(allocationsTotal()).append('\n');
    header(out, "gatehouse_relay_bytes_relayed_total", "counter", "Payload bytes relayed.");
    for (Direction d : Direction.values()) {
      labelled(out, "gatehouse_relay_bytes_relayed_total", "direction", d, bytesRelayed(d));
    }
    header(out, "gatehouse_relay_datagrams_relayed_total", "counter", "Datagrams relayed.");
    for (Direction d : Direction.values()) {
      labelled(out, "gatehouse_relay_datagrams_relayed_total", "direction", d, datagramsRelayed(d));
    }
    header(out, "gatehouse_relay_dropped_total", "counter", "Datagrams dropped, by reason.");
    for (DropReason r : DropReason.values()) {
      labelled(out, "gatehouse_relay_dropped_total", "reason", r.label(), dropped(r));
    }
    header(out, "gatehouse_relay_requests_total", "counter", "STUN/TURN requests, by method.");
    requests.forEach(
        (method, n) -> labelled(out, "gatehouse_relay_requests_total", "method", method, n.sum()));
    header(out, "gatehouse_relay_error_responses_total", "counter", "Error responses, by code.");
    new TreeMap<>(errorResponses)
        .forEach(
            (code, n) ->
                labelled(out, "gatehouse_relay_error_responses_total", "code", code, n.sum()));
    return out.toString();
  }

  private static void header(StringBuilder out, String name, String type, String help) {
    out.append("# HELP ").append(name).append(' ').append(help).append('\n');
    out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
  }

  private static void labelled(
      StringBuilder out, String name, String label, Object value, long count) {
    String v = value instanceof Direction d ? d.name().toLowerCase(Locale.ROOT) : value.toString();
    out.append(name).append('{').append(label).append("=\"").append(v).append("\"} ");
    out.append(count).append('\n');
  }

  private static String methodLabel(int method) {
    return switch (method) {
      case METHOD_BINDING -> "binding";
      case METHOD_ALLOCATE -> "allocate";
      case METHOD_REFRESH -> "refresh";
      case METHOD_CREATE_PERMISSION -> "create_permission";
      case METHOD_CHANNEL_BIND -> "channel_bind";
      default -> "other";
    };
  }
}
