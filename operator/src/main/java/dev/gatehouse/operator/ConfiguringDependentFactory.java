package dev.gatehouse.operator;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.gateway.GatewayDependents.NeedsOperatorConfig;
import io.javaoperatorsdk.operator.api.config.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.config.dependent.DependentResourceSpec;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResourceFactory;

/** Creates dependents as JOSDK does, then hands the operator's settings to those that need them. */
@SuppressWarnings({"rawtypes", "unchecked"})
final class ConfiguringDependentFactory implements DependentResourceFactory {
  private final OperatorConfig config;

  ConfiguringDependentFactory(OperatorConfig config) {
    this.config = config;
  }

  @Override
  public DependentResource createFrom(
      DependentResourceSpec spec, ControllerConfiguration controller) {
    DependentResource dependent = DependentResourceFactory.DEFAULT.createFrom(spec, controller);
    if (dependent instanceof NeedsOperatorConfig needsConfig) {
      needsConfig.use(config);
    }
    return dependent;
  }
}
