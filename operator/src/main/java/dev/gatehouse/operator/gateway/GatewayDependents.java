package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.GarbageCollected;
import io.javaoperatorsdk.operator.processing.dependent.Creator;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.security.SecureRandom;

/**
 * One dependent resource per object a {@link Gateway} owns. Each only maps the Gateway to its
 * desired object through the pure functions in {@link GatewayDeployments}, {@link GatewayServices}
 * and {@link GatewayTokens}; JOSDK creates, updates and garbage-collects them.
 */
public final class GatewayDependents {
  private GatewayDependents() {}

  /** A dependent that needs the operator's settings, handed over when JOSDK creates it. */
  public interface NeedsOperatorConfig {
    void use(OperatorConfig config);
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
  public static class ServiceAccountDependent
      extends CRUDKubernetesDependentResource<ServiceAccount, Gateway> {
    public ServiceAccountDependent() {
      super(ServiceAccount.class);
    }

    @Override
    protected ServiceAccount desired(Gateway gateway, Context<Gateway> context) {
      return GatewayServices.serviceAccount(gateway);
    }
  }

  /**
   * The token Secret is created once and never updated: rotating it is a deliberate act (delete the
   * Secret), not a side effect of reconciling.
   */
  @KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
  public static class TokenSecretDependent extends KubernetesDependentResource<Secret, Gateway>
      implements Creator<Secret, Gateway>, GarbageCollected<Gateway> {
    private static final SecureRandom RANDOM = new SecureRandom();

    public TokenSecretDependent() {
      super(Secret.class);
    }

    @Override
    protected Secret desired(Gateway gateway, Context<Gateway> context) {
      return GatewayTokens.secret(gateway, GatewayTokens.newToken(RANDOM));
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
  public static class DeploymentDependent
      extends CRUDKubernetesDependentResource<Deployment, Gateway> implements NeedsOperatorConfig {
    private OperatorConfig config = OperatorConfig.forTests(true);

    public DeploymentDependent() {
      super(Deployment.class);
    }

    @Override
    public void use(OperatorConfig config) {
      this.config = config;
    }

    @Override
    protected Deployment desired(Gateway gateway, Context<Gateway> context) {
      return GatewayDeployments.desired(gateway, config);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
  public static class ServiceDependent extends CRUDKubernetesDependentResource<Service, Gateway> {
    public ServiceDependent() {
      super(Service.class);
    }

    @Override
    protected Service desired(Gateway gateway, Context<Gateway> context) {
      return GatewayServices.service(gateway);
    }
  }

  @KubernetesDependent(informer = @Informer(labelSelector = GatewayNames.MANAGED_SELECTOR))
  public static class PodDisruptionBudgetDependent
      extends CRUDKubernetesDependentResource<PodDisruptionBudget, Gateway> {
    public PodDisruptionBudgetDependent() {
      super(PodDisruptionBudget.class);
    }

    @Override
    protected PodDisruptionBudget desired(Gateway gateway, Context<Gateway> context) {
      return GatewayServices.podDisruptionBudget(gateway);
    }
  }

  /** A PodDisruptionBudget only makes sense with more than one gateway pod. */
  public static class HasSeveralReplicas implements Condition<PodDisruptionBudget, Gateway> {
    @Override
    public boolean isMet(
        DependentResource<PodDisruptionBudget, Gateway> dependent,
        Gateway gateway,
        Context<Gateway> context) {
      return GatewayDeployments.replicas(gateway.getSpec()) > 1;
    }
  }
}
