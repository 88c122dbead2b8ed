package dev.gatehouse.gateway.config;

import java.util.Locale;
import java.util.Optional;

/** Console log format: one JSON object per line (for log collectors) or plain text. */
public enum LogFormat {
  JSON,
  TEXT;

  /** The value as written in {@code GATEHOUSE_LOG_FORMAT}. */
  public String configValue() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The format named by {@code value} (any case, surrounding blanks ignored), if any. */
  public static Optional<LogFormat> parse(String value) {
    if (value == null) {
      return Optional.empty();
    }
    for (LogFormat format : values()) {
      if (format.configValue().equalsIgnoreCase(value.strip())) {
        return Optional.of(format);
      }
    }
    return Optional.empty();
  }
}
