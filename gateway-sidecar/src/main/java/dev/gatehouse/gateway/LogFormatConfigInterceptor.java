package dev.gatehouse.gateway;

import dev.gatehouse.gateway.config.LogFormat;
import io.smallrye.config.ConfigSourceInterceptor;
import io.smallrye.config.ConfigSourceInterceptorContext;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.Priorities;
import jakarta.annotation.Priority;
import java.util.Optional;

/**
 * Lets {@code GATEHOUSE_LOG_FORMAT} ({@code json} or {@code text}) switch Quarkus' JSON console
 * logging, so operators set one gateway variable instead of a Quarkus one. When the variable is
 * unset or invalid, Quarkus' own setting applies (JSON by default; the validator reports an invalid
 * value). Registered in {@code META-INF/services}.
 */
@Priority(Priorities.APPLICATION)
public final class LogFormatConfigInterceptor implements ConfigSourceInterceptor {

  static final String JSON_ENABLED = "quarkus.log.console.json.enabled";
  static final String LOG_FORMAT = "gatehouse.log-format";

  @Override
  public ConfigValue getValue(ConfigSourceInterceptorContext context, String name) {
    if (!JSON_ENABLED.equals(name)) {
      return context.proceed(name);
    }
    // restart, not proceed: the lookup must see profiles and every source.
    ConfigValue format = context.restart(LOG_FORMAT);
    Optional<LogFormat> parsed =
        format == null ? Optional.empty() : LogFormat.parse(format.getValue());
    if (parsed.isEmpty()) {
      return context.proceed(name);
    }
    return format.withName(name).withValue(Boolean.toString(parsed.get() == LogFormat.JSON));
  }
}
