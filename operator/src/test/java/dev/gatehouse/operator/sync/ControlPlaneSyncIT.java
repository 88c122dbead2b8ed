package dev.gatehouse.operator.sync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.Migrations;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import dev.gatehouse.operator.GatehouseOperator;
import dev.gatehouse.operator.TestGateways;
import dev.gatehouse.operator.config.OperatorConfig;
import dev.gatehouse.operator.gateway.GatewayTokens;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.PolicySpec;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.model.ResourceRef;
import dev.gatehouse.operator.model.ResourceSpec;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.server.mock.EnableKubernetesMockClient;
import io.javaoperatorsdk.operator.Operator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The operator writes Gateways, Resources and Policies into a real control-plane database and its
 * finalizers soft-delete them. Kubernetes is the Fabric8 mock here (the sync does not depend on
 * API-server behaviour); PostgreSQL is real (e2e/scripts/postgres.sh).
 */
@EnableKubernetesMockClient(crud = true, https = false)
class ControlPlaneSyncIT {
  static KubernetesClient client;
  private static Operator operator;
  private static DatabaseConfig db;
  private static DatabaseControlPlaneSync sync;
  private static final String NS = "sync-" + Long.toHexString(System.nanoTime());

  @BeforeAll
  static void start() {
    db = DatabaseConfig.fromEnvironment();
    try (Connection ignored = db.connect()) {
      // reachable
    } catch (SQLException e) {
      throw new AssertionError(
          "PostgreSQL is not reachable at "
              + db.url()
              + ": start it with e2e/scripts/postgres.sh start",
          e);
    }
    Migrations.migrate(db);
    sync = new DatabaseControlPlaneSync(db, "sync-it");
    operator =
        GatehouseOperator.create(
            client,
            OperatorConfig.forTests(false).withResync(Duration.ofSeconds(2)),
            sync,
            Clock.systemUTC());
    operator.start();
  }

  @AfterAll
  static void stop() {
    if (operator != null) {
      operator.stop();
    }
  }

  @Test
  void crsBecomeRowsAndFinalizersSoftDeleteThem() throws Exception {
    Gateway gateway = client.resource(TestGateways.gateway(NS, "edge", 1)).create();
    Secret secret =
        await()
            .atMost(Duration.ofSeconds(30))
            .until(
                () -> client.secrets().inNamespace(NS).withName("edge-gateway-token").get(),
                s -> s != null);
    String token = GatewayTokens.tokenOf(secret).orElseThrow();
    UUID site = sync.siteId(gateway);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(rows("SELECT name FROM sites WHERE id = ? AND deleted_at IS NULL", site))
                  .containsExactly(NS + "/edge");
              assertThat(
                      rows(
                          "SELECT encode(secret_hash, 'hex') FROM tokens WHERE site_id = ? AND deleted_at IS NULL",
                          site))
                  .containsExactly(hex(OperatorSyncRepository.hashTokenSecret(token)));
            });
    assertThat(rows("SELECT count(*) FROM tokens WHERE secret_hash = convert_to(?, 'UTF8')", token))
        .as("the token itself is never stored")
        .containsExactly("0");

    Resource resource = new Resource();
    resource.setMetadata(new ObjectMetaBuilder().withName("db").withNamespace(NS).build());
    resource.setSpec(new ResourceSpec());
    resource.getSpec().setAddress("10.20.0.7");
    Resource created = client.resource(resource).create();
    UUID resourceId = DatabaseControlPlaneSync.resourceId(created);
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              assertThat(
                      rows(
                          "SELECT type || ' ' || address FROM resources WHERE id = ? AND deleted_at IS NULL",
                          resourceId))
                  .containsExactly("ip 10.20.0.7");
              assertThat(
                      rows(
                          "SELECT site_id::text FROM resource_connections WHERE resource_id = ?",
                          resourceId))
                  .containsExactly(site.toString());
              assertThat(client.resource(created).get().getStatus().getControlPlaneId())
                  .isEqualTo(resourceId.toString());
            });

    // Drift: someone soft-deletes the row behind the operator's back; the resync restores it.
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement("UPDATE resources SET deleted_at = now() WHERE id = ?")) {
      ps.setObject(1, resourceId);
      assertThat(ps.executeUpdate()).isEqualTo(1);
    }
    awaitRows(
        "1", "SELECT count(*) FROM resources WHERE id = ? AND deleted_at IS NULL", resourceId);

    Policy policy = new Policy();
    policy.setMetadata(new ObjectMetaBuilder().withName("eng-db").withNamespace(NS).build());
    policy.setSpec(new PolicySpec());
    policy.getSpec().setGroup("engineering");
    policy.getSpec().setResourceRef(new ResourceRef("db"));
    Policy createdPolicy = client.resource(policy).create();
    UUID policyId = DatabaseControlPlaneSync.policyId(createdPolicy);
    awaitRows(
        "engineering",
        "SELECT g.name FROM policies p JOIN groups g ON g.id = p.group_id"
            + " WHERE p.id = ? AND p.deleted_at IS NULL AND p.resource_id = ?",
        policyId,
        resourceId);

    client.resource(createdPolicy).delete();
    awaitRows(
        "1", "SELECT count(*) FROM policies WHERE id = ? AND deleted_at IS NOT NULL", policyId);

    client.resource(gateway).delete();
    awaitRows("1", "SELECT count(*) FROM sites WHERE id = ? AND deleted_at IS NOT NULL", site);
  }

  /** Waits until the query's rows are exactly {@code expected} (one row, one column). */
  private static void awaitRows(String expected, String sql, Object... params) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(rows(sql, params)).containsExactly(expected));
  }

  private static List<String> rows(String sql, Object... params) throws SQLException {
    return dev.gatehouse.operator.TestFixtures.rows(db, sql, params);
  }

  private static String hex(byte[] bytes) {
    return java.util.HexFormat.of().formatHex(bytes);
  }
}
