package dev.gatehouse.operator.sync;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.gatehouse.operator.model.PolicyConditions;
import dev.gatehouse.operator.model.TimeWindow;
import java.time.DayOfWeek;
import java.util.List;
import java.util.Locale;

/**
 * Translates a Policy's conditions into the control plane's JSON ({@code policies.conditions}): an
 * array of {@code {"property", "operator", "values"[, "timezone"]}}. Pure.
 *
 * <p>A window whose end is before its start spans midnight and becomes two ranges, the second on
 * the next day; {@code 24:00} is the end of a day.
 */
public final class PolicyConditionsJson {
  private static final ObjectMapper JSON = new ObjectMapper();

  private PolicyConditionsJson() {}

  public static String toJson(PolicyConditions conditions) {
    ArrayNode array = JSON.createArrayNode();
    if (conditions == null) {
      return array.toString();
    }
    List<TimeWindow> windows = conditions.getTimeWindows();
    if (windows != null && !windows.isEmpty()) {
      ObjectNode time = condition(array, "current_utc_datetime", "is_in_day_of_week_time_ranges");
      ArrayNode values = time.putArray("values");
      for (TimeWindow window : windows) {
        for (TimeWindow.Weekday day : window.getDays()) {
          ranges(values, day, window.getStart(), window.getEnd());
        }
      }
      String zone = windows.getFirst().getTimeZone();
      time.put("timezone", zone == null ? "UTC" : zone);
    }
    cidrs(array, "is_in_cidr", conditions.getClientCidrs());
    cidrs(array, "is_not_in_cidr", conditions.getExcludedClientCidrs());
    if (Boolean.TRUE.equals(conditions.getRequireVerifiedClient())) {
      condition(array, "client_verified", "is").putArray("values").add("true");
    }
    return array.toString();
  }

  private static void ranges(ArrayNode values, TimeWindow.Weekday day, String start, String end) {
    String name = dayName(day);
    if (end.compareTo(start) > 0) {
      values.add(name + " " + start + "-" + end);
      return;
    }
    values.add(name + " " + start + "-24:00");
    if (!"00:00".equals(end)) {
      values.add(dayName(next(day)) + " 00:00-" + end);
    }
  }

  private static void cidrs(ArrayNode array, String operator, List<String> cidrs) {
    if (cidrs != null && !cidrs.isEmpty()) {
      ArrayNode values = condition(array, "remote_ip", operator).putArray("values");
      cidrs.forEach(values::add);
    }
  }

  private static ObjectNode condition(ArrayNode array, String property, String operator) {
    ObjectNode node = array.addObject();
    node.put("property", property);
    node.put("operator", operator);
    return node;
  }

  private static String dayName(TimeWindow.Weekday day) {
    return DayOfWeek.of(day.ordinal() + 1).name().substring(0, 3).toUpperCase(Locale.ROOT);
  }

  private static TimeWindow.Weekday next(TimeWindow.Weekday day) {
    return TimeWindow.Weekday.values()[(day.ordinal() + 1) % 7];
  }
}
