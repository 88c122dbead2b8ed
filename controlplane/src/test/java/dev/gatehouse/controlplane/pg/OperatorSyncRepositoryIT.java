package dev.gatehouse.controlplane.pg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.gatehouse.controlplane.pg.OperatorSyncRepository.PolicySpec;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository.ResourceSpec;
import dev.gatehouse.controlplane.testing.Fixtures;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class OperatorSyncRepositoryIT {

  private final DatabaseConfig db = TestDatabase.migrated();
  private final OperatorSyncRepository sync = new OperatorSyncRepository(db);

  private List<String> query(String sql, UUID id) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, id);
      List<String> out = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(rs.getString(1));
        }
      }
      return out;
    }
  }

  @Test
  void upsertsAndSoftDeletesSitesResourcesAndPolicies() throws Exception {
    UUID account = UUID.randomUUID();
    sync.ensureAccount(account, "ops", "ops-" + account);
    sync.ensureAccount(account, "ops", "ops-" + account);
    UUID site = UUID.randomUUID();
    UUID site2 = UUID.randomUUID();
    UUID token = UUID.randomUUID();
    byte[] hash = OperatorSyncRepository.hashTokenSecret("gateway-secret");
    sync.upsertSite(site, account, "east", token, hash);
    sync.upsertSite(site, account, "east-renamed", token, hash);
    sync.upsertSite(
        site2, account, "west", UUID.randomUUID(), OperatorSyncRepository.hashTokenSecret("other"));
    assertThat(query("SELECT name FROM sites WHERE id = ?", site)).containsExactly("east-renamed");
    assertThat(query("SELECT encode(secret_hash, 'hex') FROM tokens WHERE id = ?", token))
        .containsExactly(HexFormat.of().formatHex(hash));
    assertThat(query("SELECT octet_length(secret_hash)::text FROM tokens WHERE id = ?", token))
        .as("only the 32-byte SHA-256 is stored")
        .containsExactly("32");
    UUID movedToken = UUID.randomUUID();
    sync.upsertSite(site2, account, "west", movedToken, hash);
    sync.upsertSite(site, account, "east-renamed", movedToken, hash);
    assertThat(query("SELECT site_id::text FROM tokens WHERE id = ?", movedToken))
        .as("an upsert moves a token to the site it now names")
        .containsExactly(site.toString());

    UUID resource = UUID.randomUUID();
    sync.upsertResource(
        new ResourceSpec(resource, account, "db", "dns", "db.svc.cluster.local", "dual", "[]"),
        Set.of(site, site2));
    assertThat(
            query(
                "SELECT site_id::text FROM resource_connections WHERE resource_id = ? ORDER BY 1",
                resource))
        .containsExactlyInAnyOrder(site.toString(), site2.toString());
    sync.upsertResource(
        new ResourceSpec(
            resource,
            account,
            "db",
            "dns",
            "db2.svc.cluster.local",
            "ipv4_only",
            "[{\"protocol\":\"tcp\",\"ports\":[\"5432\"]}]"),
        Set.of(site2));
    assertThat(
            query("SELECT site_id::text FROM resource_connections WHERE resource_id = ?", resource))
        .containsExactly(site2.toString());
    assertThat(query("SELECT address || ' ' || ip_stack FROM resources WHERE id = ?", resource))
        .containsExactly("db2.svc.cluster.local ipv4_only");

    UUID group = UUID.randomUUID();
    try (Fixtures f = new Fixtures(db)) {
      f.exec("INSERT INTO groups (id, account_id, name) VALUES (?, ?, 'devs')", group, account);
    }
    UUID policy = UUID.randomUUID();
    sync.upsertPolicy(new PolicySpec(policy, account, group, resource, "[]", null, false));
    String xminBefore = query("SELECT xmin::text FROM policies WHERE id = ?", policy).getFirst();
    sync.upsertPolicy(new PolicySpec(policy, account, group, resource, "[]", null, false));
    assertThat(query("SELECT xmin::text FROM policies WHERE id = ?", policy))
        .as("an unchanged upsert writes nothing")
        .containsExactly(xminBefore);
    sync.upsertPolicy(new PolicySpec(policy, account, group, resource, "[]", null, true));
    assertThat(query("SELECT (disabled_at IS NOT NULL)::text FROM policies WHERE id = ?", policy))
        .containsExactly("true");
    sync.upsertPolicy(new PolicySpec(policy, account, group, resource, "[]", null, false));
    assertThat(query("SELECT (disabled_at IS NULL)::text FROM policies WHERE id = ?", policy))
        .containsExactly("true");

    sync.softDeletePolicy(policy);
    sync.softDeleteResource(resource);
    sync.softDeleteSite(site2);
    assertThat(query("SELECT (deleted_at IS NOT NULL)::text FROM policies WHERE id = ?", policy))
        .containsExactly("true");
    assertThat(query("SELECT (deleted_at IS NOT NULL)::text FROM resources WHERE id = ?", resource))
        .containsExactly("true");
    assertThat(query("SELECT (deleted_at IS NOT NULL)::text FROM sites WHERE id = ?", site2))
        .containsExactly("true");
    assertThat(query("SELECT count(*)::text FROM resource_connections WHERE site_id = ?", site2))
        .containsExactly("0");
    assertThat(
            query(
                "SELECT count(*)::text FROM tokens WHERE site_id = ? AND deleted_at IS NULL",
                site2))
        .containsExactly("0");

    sync.upsertPolicy(new PolicySpec(policy, account, group, resource, "[]", null, false));
    assertThat(query("SELECT (deleted_at IS NULL)::text FROM policies WHERE id = ?", policy))
        .as("an upsert brings a soft-deleted row back")
        .containsExactly("true");
  }
}
