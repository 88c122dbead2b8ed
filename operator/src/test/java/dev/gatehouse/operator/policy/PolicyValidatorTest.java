package dev.gatehouse.operator.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.PolicyConditions;
import dev.gatehouse.operator.model.PolicySpec;
import dev.gatehouse.operator.model.ResourceRef;
import dev.gatehouse.operator.model.TimeWindow;
import dev.gatehouse.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PolicyValidatorTest {
  private static final Instant NOW = Instant.parse("2026-11-28T10:00:00Z");

  @Test
  void acceptsAWellFormedPolicy() {
    assertThat(PolicyValidator.validate(spec())).isEmpty();
  }

  @Test
  void namesEveryBadField() {
    PolicySpec spec = spec();
    spec.setExpiresAt("tomorrow");
    TimeWindow window = new TimeWindow();
    window.setDays(List.of(TimeWindow.Weekday.Mon));
    window.setStart("09:00");
    window.setEnd("09:00");
    window.setTimeZone("Mars/Olympus_Mons");
    PolicyConditions conditions = new PolicyConditions();
    conditions.setTimeWindows(List.of(window));
    conditions.setClientCidrs(List.of("203.0.113.0/24", "203.0.113.5", "300.0.0.0/8"));
    spec.setConditions(conditions);

    assertThat(PolicyValidator.validate(spec))
        .containsExactly(
            "spec.expiresAt: 'tomorrow' is not an RFC 3339 time such as 2026-12-31T18:00:00Z",
            "spec.conditions.timeWindows[0].timeZone: 'Mars/Olympus_Mons' is not an IANA time zone"
                + " such as Europe/Berlin",
            "spec.conditions.timeWindows[0]: start and end must differ; for all day use 00:00 to 24:00",
            "spec.conditions.clientCidrs[1]: '203.0.113.5' is not a CIDR such as 203.0.113.0/24",
            "spec.conditions.clientCidrs[2]: '300.0.0.0' is not a valid IP address: 300 is above 255");
  }

  @Test
  void statusSaysWhyAPolicyGrantsNothing() {
    Policy policy = policy();
    assertThat(
            readyReason(PolicyReconciler.status(policy, List.of(), false, Optional.empty(), NOW)))
        .isEqualTo("ResourceNotFound");
    assertThat(
            readyReason(
                PolicyReconciler.status(
                    policy, List.of(), true, Optional.of(NOW.minusSeconds(1)), NOW)))
        .isEqualTo("Expired");
    assertThat(
            readyReason(
                PolicyReconciler.status(
                    policy, List.of(), true, Optional.of(NOW.plusSeconds(60)), NOW)))
        .isEqualTo("Granted");
    assertThat(
            readyReason(
                PolicyReconciler.status(policy, List.of("bad"), true, Optional.empty(), NOW)))
        .isEqualTo("Invalid");
  }

  private static String readyReason(dev.gatehouse.operator.model.PolicyStatus status) {
    return Conditions.find(status.getConditions(), Conditions.READY).orElseThrow().getReason();
  }

  private static Policy policy() {
    Policy policy = new Policy();
    policy.setMetadata(
        new ObjectMetaBuilder().withName("p").withNamespace("ns").withGeneration(1L).build());
    policy.setSpec(spec());
    return policy;
  }

  private static PolicySpec spec() {
    PolicySpec spec = new PolicySpec();
    spec.setGroup("engineering");
    spec.setResourceRef(new ResourceRef("web"));
    spec.setExpiresAt("2026-12-31T18:00:00Z");
    return spec;
  }
}
