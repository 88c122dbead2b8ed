package dev.gatehouse.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DomainPatternTest {

  @ParameterizedTest
  @CsvSource({
    "db.internal, db.internal, true",
    "db.internal, DB.Internal., true",
    "db.internal, x.db.internal, false",
    "*.svc.test, web.svc.test, true",
    "*.svc.test, a.web.svc.test, false",
    "*.svc.test, svc.test, false",
    "*.svc.test, websvc.test, false",
    "**.svc.test, svc.test, true",
    "**.svc.test, a.b.svc.test, true",
    "**.svc.test, xsvc.test, false",
    "'', a, false",
    "a, '', false",
  })
  void matchesTheOperatorsWildcardForms(String pattern, String name, boolean expected) {
    assertThat(DomainPattern.matches(pattern, name)).isEqualTo(expected);
  }

  @Property(tries = 300)
  void neverThrows(@ForAll String pattern, @ForAll String name) {
    DomainPattern.matches(pattern, name);
    DomainPattern.isWildcard(pattern);
  }
}
