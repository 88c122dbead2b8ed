package dev.gatehouse.operator.gateway;

import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.model.Gateway;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.dependent.DependentResource;
import io.javaoperatorsdk.operator.api.reconciler.dependent.ReconcileResult;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.CRUDKubernetesDependentResource;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.javaoperatorsdk.operator.processing.dependent.workflow.Condition;
import java.security.SecureRandom;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

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
   * Secret), not a side effect of reconciling. It is written but never read ({@link
   * TokenSecretWriter}): no informer, so the operator needs neither get, list nor watch on Secrets.
   * A new token's SHA-256 reaches the Deployment and the reconciler through the workflow context
   * under {@link #NEW_TOKEN_SHA256}; garbage collection removes the Secret with its Gateway (owner
   * reference).
   */
  public static class TokenSecretDependent implements DependentResource<Secret, Gateway> {
    /** Key of the SHA-256 (hex) of a token written in this reconciliation, if one was. */
    public static final String NEW_TOKEN_SHA256 = "gatehouse.dev/new-token-sha256";

    private static final TokenSecretWriter WRITER = new TokenSecretWriter(new SecureRandom());

    @Override
    public ReconcileResult<Secret> reconcile(Gateway gateway, Context<Gateway> context) {
      return switch (WRITER.ensure(context.getClient(), gateway)) {
        case TokenSecretWriter.Outcome.Created created -> {
          context
              .managedWorkflowAndDependentResourceContext()
              .put(NEW_TOKEN_SHA256, created.tokenSha256());
          yield ReconcileResult.resourceCreated(null);
        }
        case TokenSecretWriter.Outcome.Existing existing -> ReconcileResult.noOperation(null);
      };
    }

    @Override
    public Class<Secret> resourceType() {
      return Secret.class;
    }

    /** The workflow's name for it (only Kubernetes dependents take the annotation's name). */
    @Override
    public String name() {
      return "token";
    }

    /** The token hash to use now: the one just written, else the one the status records. */
    static Optional<String> currentHash(Gateway gateway, Context<Gateway> context) {
      return context
          .managedWorkflowAndDependentResourceContext()
          .get(NEW_TOKEN_SHA256, String.class)
          .or(() -> TokenSecretWriter.recordedHash(gateway));
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
      return GatewayDeployments.desired(
          gateway, config, TokenSecretDependent.currentHash(gateway, context));
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

  /**
   * The Service's addresses for the gateway pods to advertise ({@link
   * GatewayServices#endpointsConfigMap}), from the Service as the informer last saw it: a new
   * load-balancer address reconciles the Gateway, and this follows. Written, never read, like the
   * token Secret: created, or server-side applied when it exists, whenever the content differs from
   * what this process last wrote, so the operator needs only create and patch on ConfigMaps and can
   * read none. A restarted operator applies once more; garbage collection removes it with its
   * Gateway.
   */
  public static class EndpointsConfigMapDependent implements DependentResource<ConfigMap, Gateway> {
    private final Map<String, Map<String, String>> applied = new ConcurrentHashMap<>();

    @Override
    public ReconcileResult<ConfigMap> reconcile(Gateway gateway, Context<Gateway> context) {
      ConfigMap desired =
          GatewayServices.endpointsConfigMap(
              gateway, context.getSecondaryResource(Service.class).orElse(null));
      String uid = gateway.getMetadata().getUid();
      if (desired.getData().equals(applied.get(uid))) {
        return ReconcileResult.noOperation(null);
      }
      try {
        context.getClient().resource(desired).create();
      } catch (KubernetesClientException e) {
        if (e.getCode() != 409) {
          throw e;
        }
        context
            .getClient()
            .resource(desired)
            .fieldManager(GatewayNames.MANAGED_BY)
            .forceConflicts()
            .serverSideApply();
      }
      applied.put(uid, desired.getData());
      return ReconcileResult.resourceUpdated(desired);
    }

    @Override
    public Class<ConfigMap> resourceType() {
      return ConfigMap.class;
    }

    @Override
    public String name() {
      return "endpoints";
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
