package dev.gatehouse.controlplane.cache;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Process-wide pools of immutable values that many cache entries repeat: site-id sets, filter sets
 * and parsed policy conditions. Caches keep a reference to the pooled instance instead of a copy,
 * so 10,000 client caches of one account hold one {@code [site]} array, not 10,000. Arrays handed
 * out must never be modified (callers copy on change). Each pool is bounded; past the bound values
 * are simply not shared. Thread-safe.
 */
final class SharedValues {

  private static final int MAX_ENTRIES = 65_536;

  private record ArrayKey(long[] values) {
    @Override
    public boolean equals(Object o) {
      return o instanceof ArrayKey k && Arrays.equals(values, k.values);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(values);
    }
  }

  private record ConditionsKey(String json, Instant expiresAt) {}

  private static final ConcurrentHashMap<ArrayKey, long[]> ARRAYS = new ConcurrentHashMap<>();
  private static final ConcurrentHashMap<ConditionsKey, List<Condition>> CONDITIONS =
      new ConcurrentHashMap<>();

  private SharedValues() {}

  /** The pooled array equal to {@code values} (which must not be modified afterwards). */
  static long[] array(long[] values) {
    if (values == null || ARRAYS.size() >= MAX_ENTRIES) {
      return values;
    }
    return ARRAYS.computeIfAbsent(new ArrayKey(values), ArrayKey::values);
  }

  /** Parsed conditions for a policy's JSON and expiry; null when there are none. */
  static List<Condition> conditions(String json, Instant expiresAt) {
    if ((json == null || json.isBlank() || json.strip().equals("[]")) && expiresAt == null) {
      return null;
    }
    ConditionsKey key = new ConditionsKey(Objects.requireNonNullElse(json, ""), expiresAt);
    List<Condition> pooled = CONDITIONS.get(key);
    if (pooled != null) {
      return pooled;
    }
    List<Condition> parsed = List.copyOf(Conditions.parse(json, expiresAt));
    if (parsed.isEmpty()) {
      return null;
    }
    return CONDITIONS.size() >= MAX_ENTRIES
        ? parsed
        : Objects.requireNonNullElse(CONDITIONS.putIfAbsent(key, parsed), parsed);
  }

  /** Entries currently pooled (for reporting). */
  static int size() {
    return ARRAYS.size() + CONDITIONS.size();
  }
}
