package dev.gatehouse.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.operator.expose.ServiceExposure;
import dev.gatehouse.operator.gateway.GatewayDeployments;
import dev.gatehouse.operator.gateway.TokenSecretWriter;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.PolicySpec;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceRef;
import dev.gatehouse.operator.model.ResourceSpec;
import dev.gatehouse.operator.model.ServiceRef;
import dev.gatehouse.operator.status.Conditions;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.Sysctl;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;

/**
 * What the operator must do, written against any API server: the Fabric8 mock in {@code
 * OperatorMockIT}, a real kube-apiserver later. Each scenario uses its own namespace.
 */
final class OperatorScenarios {
  static final Duration TIMEOUT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final boolean realApiServer;

  /**
   * @param realApiServer whether the server assigns ClusterIPs itself (a real kube-apiserver does,
   *     the mock does not)
   */
  OperatorScenarios(KubernetesClient client, boolean realApiServer) {
    this.client = client;
    this.realApiServer = realApiServer;
  }

  /** A Gateway yields its ServiceAccount, token Secret, Deployment, Service and PDB. */
  void gatewayCreatesItsObjects(String ns) {
    Gateway gateway = client.resource(TestGateways.gateway(ns, "edge", 2)).create();

    Deployment deployment = awaitObject(Deployment.class, ns, "edge-gateway");
    ServiceAccount account = awaitObject(ServiceAccount.class, ns, "edge-gateway");
    Secret secret = awaitObject(Secret.class, ns, "edge-gateway-token");
    Service service = awaitObject(Service.class, ns, "edge-gateway");
    PodDisruptionBudget pdb = awaitObject(PodDisruptionBudget.class, ns, "edge-gateway");

    for (var owned :
        new io.fabric8.kubernetes.api.model.HasMetadata[] {
          deployment, account, secret, service, pdb
        }) {
      OwnerReference owner = owned.getMetadata().getOwnerReferences().getFirst();
      assertThat(owner.getUid()).isEqualTo(gateway.getMetadata().getUid());
      assertThat(owner.getController()).as("controller owner of %s", owned.getKind()).isTrue();
    }
    String token =
        new String(
            Base64.getDecoder().decode(secret.getData().get("token")), StandardCharsets.UTF_8);
    assertThat(token).startsWith("ghgw_");
    assertThat(Base64.getUrlDecoder().decode(token.substring(5))).hasSizeGreaterThanOrEqualTo(32);
    // The operator never reads the Secret: what it knows of the token is the hash in the status,
    // and the pod template carries its start so that a new token rolls the pods.
    String hash = TokenSecretWriter.sha256Hex(token);
    await().atMost(Duration.ofSeconds(30)).until(() -> tokenHashInStatus(ns, "edge"), hash::equals);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tokenAnnotation(ns), a -> hash.startsWith(a == null ? "-" : a));

    // Deleting the Secret rotates the token at the next reconciliation (here: a spec change).
    client.resource(secret).withTimeout(10, java.util.concurrent.TimeUnit.SECONDS).delete();
    client
        .resources(Gateway.class)
        .inNamespace(ns)
        .withName("edge")
        .edit(
            g -> {
              g.getSpec().setReplicas(3);
              return g;
            });
    Secret rotated =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.secrets().inNamespace(ns).withName("edge-gateway-token").get(),
                s -> s != null && !s.getMetadata().getUid().equals(secret.getMetadata().getUid()));
    String newHash =
        TokenSecretWriter.sha256Hex(
            new String(
                Base64.getDecoder().decode(rotated.getData().get("token")),
                StandardCharsets.UTF_8));
    assertThat(newHash).isNotEqualTo(hash);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tokenHashInStatus(ns, "edge"), newHash::equals);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> tokenAnnotation(ns), a -> a != null && newHash.startsWith(a));
    client
        .resources(Gateway.class)
        .inNamespace(ns)
        .withName("edge")
        .edit(
            g -> {
              g.getSpec().setReplicas(2);
              return g;
            });

    var security =
        deployment
            .getSpec()
            .getTemplate()
            .getSpec()
            .getContainers()
            .getFirst()
            .getSecurityContext();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).containsExactly("NET_ADMIN");
    assertThat(security.getReadOnlyRootFilesystem()).isTrue();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    // Forwarding comes from the pod's own sysctl, never from privileges.
    assertThat(deployment.getSpec().getTemplate().getSpec().getSecurityContext().getSysctls())
        .containsExactly(new Sysctl("net.ipv4.ip_forward", "1"));
    assertThat(service.getSpec().getPorts().getFirst().getProtocol()).isEqualTo("UDP");
    assertThat(service.getSpec().getPorts().getFirst().getPort()).isEqualTo(51820);
    assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
  }

  private String tokenHashInStatus(String ns, String name) {
    Gateway g = client.resources(Gateway.class).inNamespace(ns).withName(name).get();
    return g == null || g.getStatus() == null ? null : g.getStatus().getTokenSha256();
  }

  private String tokenAnnotation(String ns) {
    Deployment d = client.apps().deployments().inNamespace(ns).withName("edge-gateway").get();
    var annotations = d.getSpec().getTemplate().getMetadata().getAnnotations();
    return annotations == null ? null : annotations.get(GatewayDeployments.TOKEN_ANNOTATION);
  }

  /** Ready follows the Deployment's ready replicas; a spec change rolls into the Deployment. */
  void statusFollowsDeploymentAndSpecChangesRollOut(String ns) {
    client.resource(TestGateways.gateway(ns, "edge", 2)).create();
    awaitObject(Deployment.class, ns, "edge-gateway");
    awaitCondition(Gateway.class, ns, "edge", Conditions.READY, "False");

    reportReady(ns, "edge-gateway", 2);
    awaitCondition(Gateway.class, ns, "edge", Conditions.READY, "True");
    assertThat(get(Gateway.class, ns, "edge").getStatus().getReadyReplicas()).isEqualTo(2);
    String token = get(Secret.class, ns, "edge-gateway-token").getData().get("token");

    Gateway changed = get(Gateway.class, ns, "edge");
    changed.getSpec().setReplicas(3);
    changed.getSpec().setImage("registry.example/gatehouse/gateway:next");
    client.resource(changed).update();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () -> {
              Deployment deployment = get(Deployment.class, ns, "edge-gateway");
              assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
              assertThat(
                      deployment
                          .getSpec()
                          .getTemplate()
                          .getSpec()
                          .getContainers()
                          .getFirst()
                          .getImage())
                  .isEqualTo("registry.example/gatehouse/gateway:next");
            });
    awaitCondition(Gateway.class, ns, "edge", Conditions.READY, "False");
    assertThat(get(Secret.class, ns, "edge-gateway-token").getData().get("token"))
        .as("the token survives a spec change")
        .isEqualTo(token);

    Gateway single = get(Gateway.class, ns, "edge");
    single.getSpec().setReplicas(1);
    client.resource(single).update();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(get(PodDisruptionBudget.class, ns, "edge-gateway"))
                    .as("no PDB for a single gateway pod")
                    .isNull());
  }

  /** A serviceRef resolves to the Service's ClusterIP and follows changes of the Service. */
  void resourceResolvesServiceRef(String ns) {
    client.resource(TestGateways.gateway(ns, "edge", 1)).create();
    Resource resource = resource(ns, "web");
    resource.getSpec().setServiceRef(new ServiceRef("web", null, null));
    client.resource(resource).create();
    awaitCondition(Resource.class, ns, "web", Conditions.READY, "False");
    assertThat(readyReason(Resource.class, ns, "web")).isEqualTo("ServiceNotFound");

    Service created =
        client
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("web")
                    .withNamespace(ns)
                    .endMetadata()
                    .withNewSpec()
                    .withClusterIP(realApiServer ? null : "10.96.0.10")
                    .addNewPort()
                    .withPort(80)
                    .withProtocol("TCP")
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    String clusterIp = created.getSpec().getClusterIP();
    assertThat(clusterIp).isNotBlank();
    awaitCondition(Resource.class, ns, "web", Conditions.READY, "True");
    Resource resolved = get(Resource.class, ns, "web");
    assertThat(resolved.getStatus().getAddresses()).containsExactly(clusterIp);
    assertThat(resolved.getStatus().getPorts()).containsExactly("tcp/80");
    assertThat(resolved.getStatus().getGateways()).containsExactly("edge");

    Service service = get(Service.class, ns, "web");
    service.getSpec().getPorts().getFirst().setPort(8080);
    client.resource(service).update();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(get(Resource.class, ns, "web").getStatus().getPorts())
                    .containsExactly("tcp/8080"));
  }

  /** An invalid Resource that got past the API server is reported, with an Event. */
  void invalidResourceIsReported(String ns) {
    Resource resource = resource(ns, "bad");
    resource.getSpec().setAddress("10.0.0.256");
    client.resource(resource).create();
    awaitCondition(Resource.class, ns, "bad", Conditions.DEGRADED, "True");
    Condition degraded =
        Conditions.find(
                get(Resource.class, ns, "bad").getStatus().getConditions(), Conditions.DEGRADED)
            .orElseThrow();
    assertThat(degraded.getReason()).isEqualTo("Invalid");
    assertThat(degraded.getMessage()).contains("spec.address").contains("above 255");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .anySatisfy(e -> assertThat(e.getReason()).isEqualTo("Invalid")));
  }

  /** A Policy is Ready once the Resource it names exists. */
  void policyFollowsItsResource(String ns) {
    Policy policy = new Policy();
    policy.setMetadata(new ObjectMetaBuilder().withName("eng-web").withNamespace(ns).build());
    PolicySpec spec = new PolicySpec();
    spec.setGroup("engineering");
    spec.setResourceRef(new ResourceRef("db"));
    policy.setSpec(spec);
    client.resource(policy).create();
    awaitCondition(Policy.class, ns, "eng-web", Conditions.READY, "False");
    assertThat(readyReason(Policy.class, ns, "eng-web")).isEqualTo("ResourceNotFound");

    Resource resource = resource(ns, "db");
    resource.getSpec().setAddress("10.0.0.5");
    client.resource(resource).create();
    awaitCondition(Policy.class, ns, "eng-web", Conditions.READY, "True");
    assertThat(readyReason(Policy.class, ns, "eng-web")).isEqualTo("Granted");
  }

  /**
   * A Service labelled gatehouse.dev/expose=true becomes a Resource of its name with its ports; the
   * Resource follows the Service's ports and goes when the label goes; a Resource a person made
   * under the same name is never touched.
   */
  void aLabelledServiceBecomesAResource(String ns) {
    client.resource(TestGateways.gateway(ns, "edge", 1)).create();
    Service api =
        client
            .resource(
                new ServiceBuilder()
                    .withNewMetadata()
                    .withName("api")
                    .withNamespace(ns)
                    .withLabels(Map.of(ServiceExposure.EXPOSE_LABEL, "true"))
                    .withAnnotations(Map.of(ServiceExposure.GATEWAYS_ANNOTATION, "edge"))
                    .endMetadata()
                    .withNewSpec()
                    .withClusterIP(realApiServer ? null : "10.96.0.11")
                    .addNewPort()
                    .withName("http")
                    .withPort(8080)
                    .withProtocol("TCP")
                    .endPort()
                    .addNewPort()
                    .withName("dns")
                    .withPort(53)
                    .withProtocol("UDP")
                    .endPort()
                    .endSpec()
                    .build())
            .create();
    Resource made = awaitObject(Resource.class, ns, "api");
    assertThat(made.getSpec().getServiceRef().getName()).isEqualTo("api");
    assertThat(made.getSpec().getGatewayRefs()).containsExactly("edge");
    assertThat(made.getSpec().getFilters())
        .extracting(f -> f.getProtocol() + " " + f.getPorts())
        .containsExactly("TCP [8080]", "UDP [53]", "ICMP null");
    assertThat(made.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(o -> assertThat(o.getUid()).isEqualTo(api.getMetadata().getUid()));
    awaitCondition(Resource.class, ns, "api", Conditions.READY, "True");

    Service moved = get(Service.class, ns, "api");
    moved.getSpec().getPorts().getFirst().setPort(9090);
    client.resource(moved).update();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(
                        get(Resource.class, ns, "api").getSpec().getFilters().getFirst().getPorts())
                    .containsExactly("9090"));

    String firstUid = get(Resource.class, ns, "api").getMetadata().getUid();
    client.resource(get(Resource.class, ns, "api")).delete();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(get(Resource.class, ns, "api"))
                    .as("a made Resource deleted by hand comes back")
                    .isNotNull()
                    .extracting(r -> r.getMetadata().getUid())
                    .isNotEqualTo(firstUid));

    Resource mine = resource(ns, "taken");
    mine.getSpec().setAddress("10.1.2.3");
    client.resource(mine).create();
    client
        .resource(
            new ServiceBuilder()
                .withNewMetadata()
                .withName("taken")
                .withNamespace(ns)
                .withLabels(Map.of(ServiceExposure.EXPOSE_LABEL, "true"))
                .endMetadata()
                .withNewSpec()
                .withClusterIP(realApiServer ? null : "10.96.0.12")
                .addNewPort()
                .withPort(80)
                .endPort()
                .endSpec()
                .build())
        .create();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(client.v1().events().inNamespace(ns).list().getItems())
                    .anySatisfy(
                        e -> {
                          assertThat(e.getInvolvedObject().getName()).isEqualTo("taken");
                          assertThat(e.getReason()).isEqualTo("ResourceNameTaken");
                        }));

    Service unlabelled = get(Service.class, ns, "api");
    unlabelled.getMetadata().getLabels().remove(ServiceExposure.EXPOSE_LABEL);
    client.resource(unlabelled).update();
    await().atMost(TIMEOUT).until(() -> get(Resource.class, ns, "api") == null);
    Resource stillMine = get(Resource.class, ns, "taken");
    assertThat(stillMine.getSpec().getAddress()).isEqualTo("10.1.2.3");
    assertThat(stillMine.getSpec().getServiceRef()).isNull();
    assertThat(stillMine.getMetadata().getLabels()).isNullOrEmpty();
  }

  /** Pretends to be the Deployment controller: reports ready replicas. */
  void reportReady(String ns, String name, int replicas) {
    Deployment deployment = get(Deployment.class, ns, name);
    deployment.setStatus(
        new DeploymentStatusBuilder()
            .withObservedGeneration(deployment.getMetadata().getGeneration())
            .withReplicas(replicas)
            .withReadyReplicas(replicas)
            .withUpdatedReplicas(replicas)
            .withAvailableReplicas(replicas)
            .build());
    client.resource(deployment).updateStatus();
  }

  /**
   * A one-replica Gateway's pods learn the Service's outside addresses from a ConfigMap: the node
   * port at once, a load-balancer address once the Service's status has one (here written as a
   * cloud controller would). Needs a real API server (it allocates the node port).
   */
  void gatewayAdvertisesItsServiceAddresses(String ns) {
    client.resource(TestGateways.gateway(ns, "lb", 1)).create();
    Service service =
        await()
            .atMost(TIMEOUT)
            .until(
                () -> get(Service.class, ns, "lb-gateway"),
                s -> s != null && s.getSpec().getPorts().getFirst().getNodePort() != null);
    int nodePort = service.getSpec().getPorts().getFirst().getNodePort();
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(endpointsOf(ns, "lb-gateway-endpoints"))
                    .isEqualTo("node:" + nodePort + "\n"));

    client
        .services()
        .inNamespace(ns)
        .withName("lb-gateway")
        .editStatus(
            s -> {
              s.setStatus(
                  new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
                      .withNewLoadBalancer()
                      .addNewIngress()
                      .withIp("203.0.113.7")
                      .endIngress()
                      .endLoadBalancer()
                      .build());
              return s;
            });
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(endpointsOf(ns, "lb-gateway-endpoints"))
                    .isEqualTo("203.0.113.7:51820\nnode:" + nodePort + "\n"));
  }

  private String endpointsOf(String ns, String name) {
    io.fabric8.kubernetes.api.model.ConfigMap map =
        get(io.fabric8.kubernetes.api.model.ConfigMap.class, ns, name);
    return map == null ? null : map.getData().get("endpoints");
  }

  private static Resource resource(String ns, String name) {
    Resource resource = new Resource();
    resource.setMetadata(new ObjectMetaBuilder().withName(name).withNamespace(ns).build());
    resource.setSpec(new ResourceSpec());
    return resource;
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T awaitObject(
      Class<T> type, String ns, String name) {
    return await()
        .atMost(TIMEOUT)
        .until(() -> client.resources(type).inNamespace(ns).withName(name).get(), o -> o != null);
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> T get(
      Class<T> type, String ns, String name) {
    return client.resources(type).inNamespace(ns).withName(name).get();
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> void awaitCondition(
      Class<T> type, String ns, String name, String condition, String status) {
    await()
        .atMost(TIMEOUT)
        .untilAsserted(
            () ->
                assertThat(conditionOf(get(type, ns, name), condition).map(Condition::getStatus))
                    .as(
                        "%s %s/%s condition %s (now %s)",
                        type.getSimpleName(),
                        ns,
                        name,
                        condition,
                        conditionOf(get(type, ns, name), condition).orElse(null))
                    .contains(status));
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> String readyReason(
      Class<T> type, String ns, String name) {
    return conditionOf(get(type, ns, name), Conditions.READY)
        .map(Condition::getReason)
        .orElse(null);
  }

  private static Optional<Condition> conditionOf(Object object, String type) {
    var status =
        switch (object) {
          case Gateway g -> g.getStatus();
          case Resource r -> r.getStatus();
          case Policy p -> p.getStatus();
          default -> null;
        };
    return status == null ? Optional.empty() : status.condition(type);
  }
}
