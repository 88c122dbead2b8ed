package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every CEL rule in {@code crds/} has an accept and a refuse case, which {@link OperatorRealApiIT}
 * applies to a real API server: a new rule without cases fails here.
 */
class CelRuleCoverageTest {
  @Test
  void everyRuleInTheCrdsHasAnAcceptAndARefuseCase() throws IOException {
    List<CelRuleCases.Rule> rules = CelRuleCases.rulesInCrds();
    List<CelRuleCases.Case> cases = CelRuleCases.cases();

    assertThat(rules).as("CEL rules found in crds/").hasSizeGreaterThanOrEqualTo(9);
    assertThat(rules)
        .allSatisfy(
            rule ->
                assertThat(cases)
                    .as(
                        "a case file in %s for %s's rule %s",
                        CelRuleCases.CASES, rule.crd(), rule.message())
                    .anyMatch(c -> rule.message().startsWith(c.rulePrefix())));
  }

  @Test
  void everyCaseNamesARuleThatExists() throws IOException {
    List<CelRuleCases.Rule> rules = CelRuleCases.rulesInCrds();

    assertThat(CelRuleCases.cases())
        .allSatisfy(
            c ->
                assertThat(rules)
                    .as("%s names a rule of crds/: %s", c.file(), c.rulePrefix())
                    .anyMatch(rule -> rule.message().startsWith(c.rulePrefix())));
  }

  @Test
  void everyCaseObjectIsInTheCasesNamespace() throws IOException {
    assertThat(CelRuleCases.cases())
        .allSatisfy(
            c -> {
              assertThat(c.accept().getMetadata().getNamespace()).isEqualTo(CelRuleCases.NAMESPACE);
              assertThat(c.refuse().getMetadata().getNamespace()).isEqualTo(CelRuleCases.NAMESPACE);
            });
  }
}
