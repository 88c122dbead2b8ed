package dev.gatehouse.operator.policy;

import dev.gatehouse.operator.model.PolicyConditions;
import dev.gatehouse.operator.model.PolicySpec;
import dev.gatehouse.operator.model.TimeWindow;
import dev.gatehouse.operator.resource.ResourceAddress;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Checks a {@link PolicySpec} exactly; problems name the field. Pure. */
public final class PolicyValidator {
  private PolicyValidator() {}

  public static List<String> validate(PolicySpec spec) {
    List<String> problems = new ArrayList<>();
    if (spec == null) {
      problems.add("spec is missing: set spec.group and spec.resourceRef");
      return problems;
    }
    if (spec.getGroup() == null || spec.getGroup().isBlank()) {
      problems.add("spec.group is required");
    }
    if (spec.getResourceRef() == null || spec.getResourceRef().getName() == null) {
      problems.add("spec.resourceRef.name is required");
    }
    if (spec.getExpiresAt() != null) {
      try {
        OffsetDateTime.parse(spec.getExpiresAt());
      } catch (DateTimeException e) {
        problems.add(
            "spec.expiresAt: '"
                + spec.getExpiresAt()
                + "' is not an RFC 3339 time such as"
                + " 2026-12-31T18:00:00Z");
      }
    }
    if (spec.getConditions() != null) {
      validateConditions(spec.getConditions(), problems);
    }
    return problems;
  }

  /** When the policy expires, if it has a valid {@code expiresAt}. */
  public static Optional<Instant> expiry(PolicySpec spec) {
    try {
      return Optional.ofNullable(spec.getExpiresAt()).map(t -> OffsetDateTime.parse(t).toInstant());
    } catch (DateTimeException e) {
      return Optional.empty();
    }
  }

  private static void validateConditions(PolicyConditions conditions, List<String> problems) {
    List<TimeWindow> windows =
        conditions.getTimeWindows() == null ? List.of() : conditions.getTimeWindows();
    for (int i = 0; i < windows.size(); i++) {
      TimeWindow window = windows.get(i);
      String path = "spec.conditions.timeWindows[" + i + "]";
      if (window.getTimeZone() != null) {
        try {
          ZoneId.of(window.getTimeZone());
        } catch (DateTimeException e) {
          problems.add(
              path
                  + ".timeZone: '"
                  + window.getTimeZone()
                  + "' is not an IANA time zone such as"
                  + " Europe/Berlin");
        }
      }
      if (window.getStart() != null && window.getStart().equals(window.getEnd())) {
        problems.add(path + ": start and end must differ; for all day use 00:00 to 24:00");
      }
    }
    checkCidrs("spec.conditions.clientCidrs", conditions.getClientCidrs(), problems);
    checkCidrs(
        "spec.conditions.excludedClientCidrs", conditions.getExcludedClientCidrs(), problems);
  }

  private static void checkCidrs(String path, List<String> cidrs, List<String> problems) {
    if (cidrs == null) {
      return;
    }
    for (int i = 0; i < cidrs.size(); i++) {
      String cidr = cidrs.get(i);
      try {
        if (!(ResourceAddress.parse(cidr) instanceof ResourceAddress.Cidr)) {
          problems.add(path + "[" + i + "]: '" + cidr + "' is not a CIDR such as 203.0.113.0/24");
        }
      } catch (IllegalArgumentException e) {
        problems.add(path + "[" + i + "]: " + e.getMessage());
      }
    }
  }
}
