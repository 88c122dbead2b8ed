package dev.gatehouse.operator.sync;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.cache.Condition;
import dev.gatehouse.controlplane.cache.Conditions;
import dev.gatehouse.operator.model.PolicyConditions;
import dev.gatehouse.operator.model.TimeWindow;
import dev.gatehouse.operator.model.TimeWindow.Weekday;
import java.util.List;
import org.junit.jupiter.api.Test;

class PolicyConditionsJsonTest {
  @Test
  void noConditionsIsAnEmptyArray() {
    assertThat(PolicyConditionsJson.toJson(null)).isEqualTo("[]");
    assertThat(PolicyConditionsJson.toJson(new PolicyConditions())).isEqualTo("[]");
  }

  @Test
  void everyKindOfConditionTranslatesToTheControlPlaneForm() {
    PolicyConditions conditions = new PolicyConditions();
    conditions.setTimeWindows(List.of(window(List.of(Weekday.Mon, Weekday.Fri), "09:00", "17:00")));
    conditions.setClientCidrs(List.of("203.0.113.0/24"));
    conditions.setExcludedClientCidrs(List.of("203.0.113.7/32"));
    conditions.setRequireVerifiedClient(true);

    String json = PolicyConditionsJson.toJson(conditions);

    assertThat(json)
        .isEqualTo(
            "[{\"property\":\"current_utc_datetime\",\"operator\":\"is_in_day_of_week_time_ranges\","
                + "\"values\":[\"MON 09:00-17:00\",\"FRI 09:00-17:00\"],\"timezone\":\"Europe/Berlin\"},"
                + "{\"property\":\"remote_ip\",\"operator\":\"is_in_cidr\",\"values\":[\"203.0.113.0/24\"]},"
                + "{\"property\":\"remote_ip\",\"operator\":\"is_not_in_cidr\",\"values\":[\"203.0.113.7/32\"]},"
                + "{\"property\":\"client_verified\",\"operator\":\"is\",\"values\":[\"true\"]}]");
    assertThat(Conditions.parse(json, null))
        .as("the control plane understands every condition")
        .hasSize(4)
        .noneMatch(c -> c instanceof Condition.Unsupported);
  }

  @Test
  void aWindowAcrossMidnightContinuesOnTheNextDay() {
    PolicyConditions conditions = new PolicyConditions();
    conditions.setTimeWindows(List.of(window(List.of(Weekday.Sun), "22:00", "06:00")));

    String json = PolicyConditionsJson.toJson(conditions);

    assertThat(json).contains("\"SUN 22:00-24:00\",\"MON 00:00-06:00\"");
    assertThat(Conditions.parse(json, null)).noneMatch(c -> c instanceof Condition.Unsupported);
  }

  private static TimeWindow window(List<Weekday> days, String start, String end) {
    TimeWindow window = new TimeWindow();
    window.setDays(days);
    window.setStart(start);
    window.setEnd(end);
    window.setTimeZone("Europe/Berlin");
    return window;
  }
}
