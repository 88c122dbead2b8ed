package dev.gatehouse.protocol;

import java.util.List;

/** Field checks for message constructors; failures become {@code invalid_payload} on decode. */
final class Require {

  private Require() {}

  static <T> T nonNull(T value, String field) {
    if (value == null) {
      throw new IllegalArgumentException("missing field " + field);
    }
    return value;
  }

  static String text(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("missing field " + field);
    }
    return value;
  }

  /** A null list is empty; null elements are refused. */
  static <T> List<T> list(List<T> value) {
    if (value == null) {
      return List.of();
    }
    for (T t : value) {
      if (t == null) {
        throw new IllegalArgumentException("null element in a list");
      }
    }
    return List.copyOf(value);
  }
}
