package dev.gatehouse.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class LogFormatConfigInterceptorTest {

  private static Optional<String> jsonEnabled(Map<String, String> properties) {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withInterceptors(new LogFormatConfigInterceptor())
            .withSources(new PropertiesConfigSource(properties, "test", 100))
            .build();
    return config.getOptionalValue(LogFormatConfigInterceptor.JSON_ENABLED, String.class);
  }

  @Test
  void textTurnsJsonLoggingOff() {
    assertThat(jsonEnabled(Map.of("gatehouse.log-format", "text"))).contains("false");
  }

  @Test
  void jsonTurnsJsonLoggingOnEvenIfQuarkusSaysOtherwise() {
    assertThat(
            jsonEnabled(
                Map.of(
                    "gatehouse.log-format",
                    "JSON",
                    LogFormatConfigInterceptor.JSON_ENABLED,
                    "false")))
        .contains("true");
  }

  @Test
  void unsetOrInvalidLeavesQuarkusSettingAlone() {
    assertThat(jsonEnabled(Map.of())).isEmpty();
    assertThat(
            jsonEnabled(
                Map.of(
                    "gatehouse.log-format",
                    "logfmt",
                    LogFormatConfigInterceptor.JSON_ENABLED,
                    "false")))
        .contains("false");
  }

  @Test
  void leavesOtherPropertiesAlone() {
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withInterceptors(new LogFormatConfigInterceptor())
            .withSources(
                new PropertiesConfigSource(Map.of("gatehouse.log-format", "text"), "test", 100))
            .build();
    assertThat(config.getValue("gatehouse.log-format", String.class)).isEqualTo("text");
  }
}
