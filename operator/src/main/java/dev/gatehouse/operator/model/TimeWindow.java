package dev.gatehouse.operator.model;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A weekly window of local time, e.g. Monday to Friday 08:00-18:00 in Europe/Berlin. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(
    value = "self.start != self.end",
    message = "a time window needs start and end to differ; for all day use 00:00 to 24:00")
public class TimeWindow {
  static final String HHMM = "^([01][0-9]|2[0-3]):[0-5][0-9]$|^24:00$";

  @JsonPropertyDescription("Weekdays the window applies on: Mon, Tue, Wed, Thu, Fri, Sat, Sun.")
  @Required
  @Size(min = 1, max = 7)
  private List<Weekday> days;

  @JsonPropertyDescription("Start of the window, HH:MM local time (00:00-23:59).")
  @Required
  @Size(min = 5, max = 5)
  @Pattern(HHMM)
  private String start;

  @JsonPropertyDescription(
      "End of the window, HH:MM local time (00:01-24:00). An end before the start spans"
          + " midnight.")
  @Required
  @Size(min = 5, max = 5)
  @Pattern(HHMM)
  private String end;

  @JsonPropertyDescription("IANA time zone of start and end, e.g. Europe/Berlin. Default UTC.")
  @Size(min = 1, max = 64)
  @Pattern("^[A-Za-z][A-Za-z0-9_+\\-]*(/[A-Za-z0-9_+\\-]+)*$")
  private String timeZone;

  /** Days of the week, as written in a {@link TimeWindow}. */
  public enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun
  }

  public List<Weekday> getDays() {
    return days;
  }

  public void setDays(List<Weekday> days) {
    this.days = days;
  }

  public String getStart() {
    return start;
  }

  public void setStart(String start) {
    this.start = start;
  }

  public String getEnd() {
    return end;
  }

  public void setEnd(String end) {
    this.end = end;
  }

  public String getTimeZone() {
    return timeZone;
  }

  public void setTimeZone(String timeZone) {
    this.timeZone = timeZone;
  }
}
