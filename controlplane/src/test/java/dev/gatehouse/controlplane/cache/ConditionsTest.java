package dev.gatehouse.controlplane.cache;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConditionsTest {

  static final Instant WED_1000Z = Instant.parse("2026-11-25T10:00:00Z");
  static final ClientContext OFFICE =
      new ClientContext(new byte[] {10, 1, 2, 3}, true, Version.parse("1.4.0"), null);
  static final ClientContext HOME =
      new ClientContext(
          new byte[] {(byte) 192, (byte) 168, 1, 5}, false, Version.parse("1.4.0"), null);

  @Test
  void timeWindowsAreEvaluatedInTheirZoneAndEndWhenTheWindowCloses() {
    List<Condition> c =
        Conditions.parse(
            "[{\"property\":\"current_utc_datetime\",\"operator\":\"is_in_day_of_week_time_ranges\","
                + "\"timezone\":\"America/New_York\",\"values\":[\"WED 04:00-06:00\",\"WED 05:00-07:30\",\"THU\"]}]",
            null);
    // 10:00Z = 05:00 in New York: inside both windows; the later end wins.
    Conditions.Evaluation e = Conditions.evaluate(c, OFFICE, WED_1000Z);
    assertThat(e.holds()).isTrue();
    assertThat(e.expiresAt()).isEqualTo(Instant.parse("2026-11-25T12:30:00Z"));
    assertThat(Conditions.holds(c, OFFICE, WED_1000Z.plusSeconds(3 * 3600))).isFalse();
    assertThat(Conditions.evaluate(c, OFFICE, Instant.parse("2026-11-26T15:00:00Z")).expiresAt())
        .as("a whole-day window ends at local midnight")
        .isEqualTo(Instant.parse("2026-11-27T05:00:00Z"));
  }

  @Test
  void cidrConditionsAndVerification() {
    List<Condition> in =
        Conditions.parse(
            "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"10.0.0.0/8\",\"2001:db8::/32\"]}]",
            null);
    List<Condition> notIn =
        Conditions.parse(
            "[{\"property\":\"remote_ip\",\"operator\":\"is_not_in_cidr\",\"values\":[\"10.0.0.0/8\"]}]",
            null);
    List<Condition> verified =
        Conditions.parse(
            "[{\"property\":\"client_verified\",\"operator\":\"is\",\"values\":[\"true\"]}]", null);
    assertThat(Conditions.holds(in, OFFICE, WED_1000Z)).isTrue();
    assertThat(Conditions.holds(in, HOME, WED_1000Z)).isFalse();
    assertThat(Conditions.holds(notIn, HOME, WED_1000Z)).isTrue();
    assertThat(Conditions.holds(notIn, OFFICE, WED_1000Z)).isFalse();
    ClientContext unknownIp = new ClientContext(null, true, Version.UNKNOWN, null);
    assertThat(Conditions.holds(in, unknownIp, WED_1000Z)).isFalse();
    assertThat(Conditions.holds(notIn, unknownIp, WED_1000Z))
        .as("unknown IP satisfies neither")
        .isFalse();
    assertThat(Conditions.holds(verified, OFFICE, WED_1000Z)).isTrue();
    assertThat(Conditions.evaluate(verified, HOME, WED_1000Z).violated())
        .containsExactly("client_verified");
    ClientContext v6 = new ClientContext(Cidr.literal("2001:db8::1"), true, Version.UNKNOWN, null);
    assertThat(Conditions.holds(in, v6, WED_1000Z)).isTrue();
  }

  @Test
  void unknownOrMalformedConditionsFailClosed() {
    for (String json :
        new String[] {
          "[{\"property\":\"remote_ip_location_region\",\"operator\":\"is_in\",\"values\":[\"DE\"]}]",
          "[{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"not-an-ip\"]}]",
          "[{\"property\":\"current_utc_datetime\",\"operator\":\"is_in_day_of_week_time_ranges\",\"values\":[\"XX 25:00-26:00\"]}]",
          "{\"not\":\"an array\"}",
          "garbage"
        }) {
      List<Condition> c = Conditions.parse(json, null);
      assertThat(c).as(json).isNotEmpty();
      assertThat(Conditions.holds(c, OFFICE, WED_1000Z)).as(json).isFalse();
    }
    assertThat(Conditions.parse("[]", null)).isEmpty();
    assertThat(Conditions.parse(null, null)).isEmpty();
  }

  @Test
  void policyExpiryIsAConditionAndAnEnd() {
    List<Condition> c = Conditions.parse("[]", WED_1000Z.plusSeconds(60));
    assertThat(Conditions.evaluate(c, OFFICE, WED_1000Z).expiresAt())
        .isEqualTo(WED_1000Z.plusSeconds(60));
    assertThat(Conditions.evaluate(c, OFFICE, WED_1000Z.plusSeconds(60)).violated())
        .containsExactly("expires_at");
  }
}
