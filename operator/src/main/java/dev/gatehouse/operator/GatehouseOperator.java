package dev.gatehouse.operator;

import dev.gatehouse.apinode.ApiNode;
import dev.gatehouse.apinode.store.AdminStore;
import dev.gatehouse.apinode.store.ConnectionPool;
import dev.gatehouse.controlplane.pg.Migrations;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.events.EventRecorder;
import dev.gatehouse.operator.expose.ServiceExposure;
import dev.gatehouse.operator.expose.ServiceExposureReconciler;
import dev.gatehouse.operator.gateway.GatewayReconciler;
import dev.gatehouse.operator.inject.AdminWorkloadTokenStore;
import dev.gatehouse.operator.inject.AdmissionHandler;
import dev.gatehouse.operator.inject.InjectionSettings;
import dev.gatehouse.operator.inject.SidecarInjector;
import dev.gatehouse.operator.inject.WebhookServer;
import dev.gatehouse.operator.inject.WorkloadTokenReconciler;
import dev.gatehouse.operator.inject.WorkloadTokenStore;
import dev.gatehouse.operator.inject.WorkloadTokenSweeper;
import dev.gatehouse.operator.inject.WorkloadTokens;
import dev.gatehouse.operator.metrics.OperatorMetrics;
import dev.gatehouse.operator.policy.PolicyReconciler;
import dev.gatehouse.operator.resource.ResourceReconciler;
import dev.gatehouse.operator.sync.ControlPlaneSync;
import dev.gatehouse.operator.sync.DatabaseControlPlaneSync;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.javaoperatorsdk.operator.Operator;
import io.javaoperatorsdk.operator.api.config.ControllerConfigurationOverrider;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import java.io.IOException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.InstantSource;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The operator process: registers the Gateway, Resource and Policy reconcilers with JOSDK, elects a
 * leader through a Lease when configured, and serves health and metrics.
 */
public final class GatehouseOperator {
  private static final Logger LOG = LoggerFactory.getLogger(GatehouseOperator.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  private GatehouseOperator() {}

  /** An operator with all reconcilers registered, not yet started. */
  public static Operator create(
      KubernetesClient client, OperatorConfig config, ControlPlaneSync controlPlane, Clock clock) {
    return create(client, config, controlPlane, clock, new OperatorMetrics());
  }

  /** An operator reporting to the given metrics, not yet started. */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      ControlPlaneSync controlPlane,
      Clock clock,
      OperatorMetrics metrics) {
    return create(client, config, controlPlane, clock, metrics, null, null);
  }

  /**
   * An operator that also mints the tokens of injected pods, when {@code workloadTokens} and its
   * {@code store} are given (an operator with a control plane), not yet started.
   */
  public static Operator create(
      KubernetesClient client,
      OperatorConfig config,
      ControlPlaneSync controlPlane,
      Clock clock,
      OperatorMetrics metrics,
      WorkloadTokens workloadTokens,
      WorkloadTokenStore store) {
    Operator operator =
        new Operator(
            overrider -> {
              overrider
                  .withKubernetesClient(client)
                  .withCloseClientOnStop(false)
                  .withMetrics(metrics)
                  .withDependentResourceFactory(new ConfiguringDependentFactory(config))
                  .withUseSSAToPatchPrimaryResource(config.serverSideApply())
                  .withSSABasedCreateUpdateMatchForDependentResources(config.serverSideApply())
                  .withReconciliationTerminationTimeout(Duration.ofSeconds(5));
              if (config.leaseName() != null) {
                overrider.withLeaderElectionConfiguration(
                    new LeaderElectionConfiguration(
                        config.leaseName(),
                        config.leaseNamespace(),
                        config.leaseDuration(),
                        config.leaseDuration().multipliedBy(2).dividedBy(3),
                        Duration.ofSeconds(2),
                        config.leaseIdentity(),
                        null,
                        false));
              }
            });
    EventRecorder events = new EventRecorder(client, clock);
    operator.register(
        new GatewayReconciler(controlPlane, events, clock), controllerSettings(config));
    operator.register(
        new ResourceReconciler(controlPlane, events, clock), controllerSettings(config));
    operator.register(
        new PolicyReconciler(controlPlane, events, clock), controllerSettings(config));
    operator.register(
        new ServiceExposureReconciler(events, config.serverSideApply()),
        GatehouseOperator.<Service>controllerSettings(config)
            .andThen(overrider -> overrider.withLabelSelector(ServiceExposure.SELECTOR)));
    if (workloadTokens != null && store != null) {
      operator.register(
          new WorkloadTokenReconciler(workloadTokens, store, events),
          GatehouseOperator.<Pod>controllerSettings(config)
              .andThen(overrider -> overrider.withLabelSelector(WorkloadTokenReconciler.SELECTOR)));
    }
    return operator;
  }

  private static <P extends io.fabric8.kubernetes.api.model.HasMetadata>
      Consumer<ControllerConfigurationOverrider<P>> controllerSettings(OperatorConfig config) {
    return overrider -> {
      if (!config.namespaces().isEmpty()) {
        overrider.settingNamespaces(config.namespaces());
      }
      overrider.withReconciliationMaxInterval(config.resync());
    };
  }

  public static void main(String[] args) {
    OperatorConfig config;
    Optional<ControlPlaneSettings> controlPlane;
    try {
      config = OperatorConfig.fromEnvironment(System.getenv());
      controlPlane = ControlPlaneSettings.fromEnvironment(System.getenv(), config.leaseIdentity());
    } catch (IllegalArgumentException e) {
      System.err.println("gatehouse-operator: " + e.getMessage());
      System.exit(2);
      return;
    }
    ControlPlaneSync sync = ControlPlaneSync.DISCONNECTED;
    ApiNode apiNode = null;
    WorkloadTokens workloadTokens = null;
    WorkloadTokenStore workloadTokenStore = null;
    if (controlPlane.isPresent()) {
      ControlPlaneSettings settings = controlPlane.get();
      Migrations.migrate(settings.database());
      sync = new DatabaseControlPlaneSync(settings.database(), settings.account());
      apiNode =
          new ApiNode(
              settings.apiNode(), settings.database(), InstantSource.system(), settings.relays());
      if ("true".equals(System.getenv("GATEHOUSE_SIDECAR_INJECTION"))) {
        // Injected pods' tokens: keyed from the flow key every replica shares, written through
        // the API node's admin store on a small pool of their own.
        workloadTokens = new WorkloadTokens(settings.apiNode().flowKeySecret());
        workloadTokenStore =
            new AdminWorkloadTokenStore(
                new AdminStore(new ConnectionPool(settings.database(), 2)),
                settings.apiNode().accountId());
      }
      try {
        int port = apiNode.start(settings.apiPort());
        LOG.info(
            "API node {} serving control channels on port {} ({})",
            settings.apiNode().nodeId(),
            port,
            settings.apiNode().tls() ? "TLS: wss:// and https://" : "plain ws://, no TLS");
      } catch (Exception e) {
        LOG.error("cannot start the API node: {}", e.getMessage(), e);
        System.exit(1);
        return;
      }
    } else {
      LOG.warn("GATEHOUSE_DATABASE_URL is not set: running without a control plane or API node");
    }
    KubernetesClient client = new KubernetesClientBuilder().build();
    OperatorMetrics metrics = new OperatorMetrics();
    Operator operator =
        create(
            client, config, sync, Clock.systemUTC(), metrics, workloadTokens, workloadTokenStore);
    HealthServer health =
        config.httpPort() > 0
            ? HealthServer.start(config.httpPort(), operator, metrics, apiNode)
            : null;
    WebhookServer webhook = startWebhook(config, workloadTokens != null);
    ApiNode node = apiNode;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  LOG.info("stopping");
                  operator.stop();
                  if (node != null) {
                    node.stop();
                  }
                  if (health != null) {
                    health.stop();
                  }
                  if (webhook != null) {
                    webhook.close();
                  }
                  client.close();
                },
                "gatehouse-shutdown"));
    try {
      operator.start();
    } catch (RuntimeException e) {
      // e.g. the CRDs are not installed: exit, so that the kubelet restarts us with back-off
      // instead of leaving a process that serves the API node but reconciles nothing.
      LOG.error("cannot start the operator: {}", e.getMessage(), e);
      System.exit(1);
      return;
    }
    if (workloadTokenStore != null) {
      startSweeping(
          new WorkloadTokenSweeper(
              client, workloadTokenStore, config.namespaces(), Clock.systemUTC()),
          config.resync());
    }
    LOG.info(
        "gatehouse operator started (namespaces: {}, leader election: {})",
        config.namespaces().isEmpty() ? "all" : config.namespaces(),
        config.leaseName() == null ? "off" : config.leaseNamespace() + "/" + config.leaseName());
  }

  /** Sweeps now and then every {@code interval}, on a daemon thread; a failed sweep is logged. */
  private static void startSweeping(WorkloadTokenSweeper sweeper, Duration interval) {
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "gatehouse-workload-token-sweep");
              t.setDaemon(true);
              return t;
            });
    timer.scheduleWithFixedDelay(
        () -> {
          try {
            sweeper.sweep();
          } catch (RuntimeException e) {
            LOG.warn("workload token sweep failed, next in {}: {}", interval, e.getMessage());
          }
        },
        0,
        interval.toSeconds(),
        TimeUnit.SECONDS);
  }

  /**
   * The sidecar injection webhook, when {@code GATEHOUSE_WEBHOOK_TLS_CERT} and {@code _KEY} name
   * its certificate files (the chart mounts them from a Secret); on {@code GATEHOUSE_WEBHOOK_PORT}
   * (default 9443). Every replica serves it: the webhook needs no leader.
   */
  private static WebhookServer startWebhook(OperatorConfig config, boolean workloadTokens) {
    Map<String, String> env = System.getenv();
    String cert = env.get("GATEHOUSE_WEBHOOK_TLS_CERT");
    String key = env.get("GATEHOUSE_WEBHOOK_TLS_KEY");
    if (cert == null || key == null) {
      LOG.info("sidecar injection webhook off (GATEHOUSE_WEBHOOK_TLS_CERT/_KEY not set)");
      return null;
    }
    InjectionSettings settings =
        InjectionSettings.fromEnvironment(
            env,
            config.controlPlaneUrl(),
            config.gatewayApiCaConfigMap(),
            env.getOrDefault("GATEHOUSE_NAMESPACE", env.get("POD_NAMESPACE")));
    try {
      return WebhookServer.start(
          "0.0.0.0",
          Integer.parseInt(env.getOrDefault("GATEHOUSE_WEBHOOK_PORT", "9443")),
          Path.of(cert),
          Path.of(key),
          Duration.ofSeconds(10),
          new AdmissionHandler(
              workloadTokens
                  ? SidecarInjector.withWorkloadTokens(
                      settings, () -> WorkloadTokens.newSecretName(RANDOM))
                  : new SidecarInjector(settings)));
    } catch (IOException | RuntimeException e) {
      LOG.error("cannot start the sidecar injection webhook: {}", e.getMessage(), e);
      System.exit(1);
      return null;
    }
  }
}
