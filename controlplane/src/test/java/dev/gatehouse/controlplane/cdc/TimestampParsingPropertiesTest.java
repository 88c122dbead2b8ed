package dev.gatehouse.controlplane.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

/** The fast timestamp path agrees with java.time on PostgreSQL's output forms. */
class TimestampParsingPropertiesTest {

  @Property(tries = 2000)
  void fastPathAgreesWithJavaTime(
      @ForAll @LongRange(min = -2_000_000_000L, max = 8_000_000_000L) long epochSecond,
      @ForAll @IntRange(min = 0, max = 999_999) int micros,
      @ForAll @IntRange(min = -14 * 4, max = 14 * 4) int quarterHours,
      @ForAll boolean withMicros) {
    ZoneOffset offset = ZoneOffset.ofTotalSeconds(quarterHours * 15 * 60);
    Instant instant = Instant.ofEpochSecond(epochSecond, withMicros ? micros * 1000L : 0);
    OffsetDateTime local = instant.atOffset(offset);
    String fraction =
        withMicros && micros != 0 ? "." + String.format("%06d", micros).replaceAll("0+$", "") : "";
    String zone =
        offset.getTotalSeconds() % 3600 == 0
            ? String.format(
                "%s%02d",
                offset.getTotalSeconds() < 0 ? "-" : "+", Math.abs(offset.getTotalSeconds()) / 3600)
            : offset.getId();
    String text =
        local.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss")) + fraction + zone;
    assertThat(RowMapper.parseCanonicalTimestamp(text)).as(text).isEqualTo(instant);
    assertThat(RowMapper.parseTimestamp(text)).as(text).isEqualTo(instant);
  }

  @Property(tries = 500)
  void garbageNeverParsesToSomethingElse(@ForAll String text) {
    Instant fast = RowMapper.parseCanonicalTimestamp(text);
    if (fast != null) {
      assertThat(fast)
          .isEqualTo(
              OffsetDateTime.parse(
                      text.replace(' ', 'T')
                          + (text.length() - Math.max(text.lastIndexOf('+'), text.lastIndexOf('-'))
                                  == 3
                              ? ":00"
                              : ""))
                  .toInstant());
    }
  }
}
