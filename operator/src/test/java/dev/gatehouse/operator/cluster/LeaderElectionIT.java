package dev.gatehouse.operator.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.SharedTestKit;
import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two operator replicas on one real kube-apiserver, as the chart runs them: different identities,
 * one Lease. Only the holder reconciles; when it stops, the other takes the Lease and reconciles
 * what comes next. Each replica has its own client and a control plane that records what it
 * reconciled, so the test can tell them apart.
 */
class LeaderElectionIT {
  private static final String LEASE_NS = "gatehouse-system";
  private static final String LEASE = OperatorConfig.DEFAULT_LEASE_NAME;
  private static final Duration LEASE_DURATION = Duration.ofSeconds(8);
  private static final Duration TIMEOUT = Duration.ofSeconds(45);

  private SharedTestKit.ApiServer apiServer;
  private KubernetesClient admin;
  private final List<Replica> replicas = new ArrayList<>();

  /** One operator process: its identity, client, operator and what it reconciled. */
  private record Replica(
      String identity, KubernetesClient client, Operator operator, RecordingControlPlane sites) {}

  @BeforeEach
  void start() throws IOException {
    apiServer = SharedTestKit.ApiServer.start();
    admin = apiServer.client();
    apiServer.installCrds();
    for (String ns : List.of(LEASE_NS, "before-failover", "after-failover")) {
      apiServer.createNamespace(ns);
    }
  }

  @AfterEach
  void stop() {
    for (Replica replica : replicas) {
      replica.operator().stop();
      replica.client().close();
    }
    if (apiServer != null) {
      apiServer.close();
    }
  }

  private Replica startReplica(String identity) {
    KubernetesClient client = ChartInstaller.copyOf(admin);
    RecordingControlPlane sites = new RecordingControlPlane();
    Operator operator =
        SharedTestKit.startOperator(
            () ->
                GatehouseOperator.create(
                    client,
                    OperatorConfig.forTests(true)
                        .withLeaderElection(LEASE, LEASE_NS, identity, LEASE_DURATION),
                    sites.sync(),
                    Clock.systemUTC()));
    Replica replica = new Replica(identity, client, operator, sites);
    replicas.add(replica);
    return replica;
  }

  @Test
  void onlyTheLeaderReconcilesAndTheOtherTakesOverWhenItStops() {
    Map<String, Replica> byIdentity =
        Map.of("operator-0", startReplica("operator-0"), "operator-1", startReplica("operator-1"));

    String first = await().atMost(TIMEOUT).until(this::holder, h -> byIdentity.containsKey(h));
    Replica leader = byIdentity.get(first);
    Replica standby = byIdentity.get(first.equals("operator-0") ? "operator-1" : "operator-0");
    Lease before = lease();

    admin.resource(TestGateways.gateway("before-failover", "edge", 2)).create();
    awaitDeployment("before-failover", "edge-gateway");
    assertThat(leader.sites().sites()).contains("before-failover/edge");
    await()
        .during(Duration.ofSeconds(2))
        .atMost(Duration.ofSeconds(4))
        .untilAsserted(
            () ->
                assertThat(standby.sites().sites())
                    .as("the standby (%s) reconciles nothing", standby.identity())
                    .isEmpty());
    assertThat(holder()).as("the leader keeps renewing").isEqualTo(leader.identity());
    var standbyInfo = standby.operator().getRuntimeInfo();
    assertThat(standbyInfo.isStarted() && standbyInfo.allEventSourcesAreHealthy())
        .as(
            "the standby passes /readyz (what HealthServer checks), or a rolling update of the"
                + " chart's Deployment (maxUnavailable 0) would never finish")
        .isTrue();

    leader.operator().stop();

    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(holder()).as("Lease holder").isEqualTo(standby.identity()));
    Lease after = lease();
    assertThat(after.getSpec().getLeaseTransitions())
        .as("leaseTransitions counts the failover")
        .isGreaterThan(
            before.getSpec().getLeaseTransitions() == null
                ? -1
                : before.getSpec().getLeaseTransitions());

    int seenByOldLeader = leader.sites().sites().size();
    admin.resource(TestGateways.gateway("after-failover", "edge", 1)).create();
    awaitDeployment("after-failover", "edge-gateway");
    await()
        .atMost(TIMEOUT)
        .untilAsserted(() -> assertThat(standby.sites().sites()).contains("after-failover/edge"));
    assertThat(standby.sites().sites())
        .as("the new leader also picks up what the old one reconciled")
        .contains("before-failover/edge");
    assertThat(leader.sites().sites())
        .as("the stopped replica does nothing more")
        .hasSize(seenByOldLeader)
        .doesNotContain("after-failover/edge");
  }

  private Lease lease() {
    return admin.leases().inNamespace(LEASE_NS).withName(LEASE).get();
  }

  private String holder() {
    Lease lease = lease();
    return lease == null || lease.getSpec() == null ? null : lease.getSpec().getHolderIdentity();
  }

  private void awaitDeployment(String ns, String name) {
    await()
        .atMost(TIMEOUT)
        .until(
            () -> admin.resources(Deployment.class).inNamespace(ns).withName(name).get(),
            d -> d != null);
  }
}
