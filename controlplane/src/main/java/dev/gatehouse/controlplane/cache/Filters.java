package dev.gatehouse.controlplane.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Port/protocol filters of a resource, packed one long per port range: protocol in bits 32-39,
 * first port in bits 16-31, last port in bits 0-15. {@code null} means "no filters" (everything
 * allowed). Identical filter sets are pooled in {@link SharedValues} (most resources use a handful
 * of combinations such as tcp/443), so a cache holds a reference, not a copy.
 */
public final class Filters {

  /** One port range of one protocol; ICMP has no ports and uses 0-0. */
  public record Filter(String protocol, int portStart, int portEnd) {}

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String[] PROTOCOLS = {"?", "tcp", "udp", "icmp"};

  private Filters() {}

  /**
   * Parses {@code [{"protocol":"tcp","ports":["443","1000-2000"]}, {"protocol":"icmp"}]}. A
   * protocol without ports covers all its ports. Returns null for no filters.
   *
   * @throws IllegalArgumentException for malformed JSON, protocols or ports
   */
  public static long[] parse(String json) {
    if (json == null || json.isBlank()) {
      return null;
    }
    JsonNode root;
    try {
      root = JSON.readTree(json);
    } catch (Exception e) {
      throw new IllegalArgumentException("filters are not JSON: " + json);
    }
    if (root == null || !root.isArray()) {
      throw new IllegalArgumentException("filters are not a JSON array: " + json);
    }
    List<Long> packed = new ArrayList<>();
    for (JsonNode f : root) {
      String protocol = f.path("protocol").asText("").toLowerCase(Locale.ROOT);
      int p = Arrays.asList(PROTOCOLS).indexOf(protocol);
      if (p <= 0) {
        throw new IllegalArgumentException("unknown protocol " + protocol);
      }
      JsonNode ports = f.path("ports");
      if (p == 3 || !ports.isArray() || ports.isEmpty()) {
        packed.add(pack(p, p == 3 ? 0 : 1, p == 3 ? 0 : 65535));
        continue;
      }
      for (JsonNode range : ports) {
        String[] ends = range.asText().strip().split("-");
        int start = port(ends[0]);
        int end = ends.length == 2 ? port(ends[1]) : start;
        if (ends.length > 2 || end < start) {
          throw new IllegalArgumentException("bad port range " + range.asText());
        }
        packed.add(pack(p, start, end));
      }
    }
    if (packed.isEmpty()) {
      return null;
    }
    long[] array = packed.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    return SharedValues.array(array);
  }

  private static int port(String s) {
    int port = Integer.parseInt(s.strip());
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("bad port " + s);
    }
    return port;
  }

  private static long pack(int protocol, int start, int end) {
    return ((long) protocol << 32) | ((long) start << 16) | end;
  }

  /** Unpacks; an empty list means no filters. */
  public static List<Filter> unpack(long[] packed) {
    if (packed == null) {
      return List.of();
    }
    List<Filter> out = new ArrayList<>(packed.length);
    for (long v : packed) {
      out.add(
          new Filter(
              PROTOCOLS[(int) (v >>> 32) & 0xff], (int) (v >>> 16) & 0xffff, (int) v & 0xffff));
    }
    return out;
  }
}
