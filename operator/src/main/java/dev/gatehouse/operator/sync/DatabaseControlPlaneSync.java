package dev.gatehouse.operator.sync;

import dev.gatehouse.controlplane.pg.DatabaseConfig;
import dev.gatehouse.controlplane.pg.Groups;
import dev.gatehouse.controlplane.pg.OperatorSyncRepository;
import dev.gatehouse.operator.model.Gateway;
import dev.gatehouse.operator.model.Policy;
import dev.gatehouse.operator.model.Resource;
import dev.gatehouse.operator.policy.PolicyValidator;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;

/**
 * {@link ControlPlaneSync} on the control plane's PostgreSQL database through {@link
 * OperatorSyncRepository}. Every call is one transaction; failures surface as {@link
 * ControlPlaneException} so the reconciler retries and reports them.
 */
public final class DatabaseControlPlaneSync implements ControlPlaneSync {
  private final DatabaseConfig db;
  private final OperatorSyncRepository repository;
  private final UUID account;

  public DatabaseControlPlaneSync(DatabaseConfig db, String accountName) {
    this.db = db;
    this.repository = new OperatorSyncRepository(db);
    this.account = ControlPlaneIds.account(accountName);
    run(() -> repository.ensureAccount(account, accountName, accountName));
  }

  public UUID account() {
    return account;
  }

  @Override
  public void upsertSite(Gateway gateway, byte[] tokenSha256) {
    UUID site = siteId(gateway);
    UUID tokenId = ControlPlaneIds.ofUid(gateway.getMetadata().getUid());
    run(
        () ->
            repository.upsertSite(
                site,
                account,
                gateway.getMetadata().getNamespace() + "/" + gateway.siteName(),
                tokenId,
                tokenSha256));
  }

  @Override
  public java.util.Optional<String> tokenSha256(Gateway gateway) {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement(
                "SELECT encode(secret_hash, 'hex') FROM tokens WHERE id = ? AND deleted_at IS NULL")) {
      ps.setObject(1, ControlPlaneIds.ofUid(gateway.getMetadata().getUid()));
      try (ResultSet rows = ps.executeQuery()) {
        return rows.next() ? java.util.Optional.of(rows.getString(1)) : java.util.Optional.empty();
      }
    } catch (SQLException e) {
      throw new ControlPlaneException("control-plane database: " + e.getMessage(), e);
    }
  }

  @Override
  public void removeSite(Gateway gateway, boolean lastOfSite) {
    if (lastOfSite) {
      run(() -> repository.softDeleteSite(siteId(gateway)));
      return;
    }
    UUID tokenId = ControlPlaneIds.ofUid(gateway.getMetadata().getUid());
    run(
        () ->
            execute(
                "UPDATE tokens SET deleted_at = now() WHERE id = ? AND deleted_at IS NULL",
                tokenId));
  }

  @Override
  public void upsertResource(Resource resource, List<String> addresses, List<String> siteNames) {
    ResourceRow row = ResourceRow.of(resource.getSpec(), addresses);
    String namespace = resource.getMetadata().getNamespace();
    List<UUID> sites =
        siteNames.stream().map(name -> ControlPlaneIds.site(account, namespace, name)).toList();
    run(
        () ->
            repository.upsertResource(
                new OperatorSyncRepository.ResourceSpec(
                    resourceId(resource),
                    account,
                    namespace + "/" + resource.getMetadata().getName(),
                    row.type(),
                    row.address(),
                    "dual",
                    row.filtersJson()),
                sites));
  }

  @Override
  public void removeResource(Resource resource) {
    run(() -> repository.softDeleteResource(resourceId(resource)));
  }

  @Override
  public void upsertPolicy(Policy policy, Resource resource) {
    UUID group = ensureGroup(policy.getSpec().getGroup());
    run(
        () ->
            repository.upsertPolicy(
                new OperatorSyncRepository.PolicySpec(
                    policyId(policy),
                    account,
                    group,
                    resourceId(resource),
                    PolicyConditionsJson.toJson(policy.getSpec().getConditions()),
                    PolicyValidator.expiry(policy.getSpec()).orElse(null),
                    false)));
  }

  @Override
  public void removePolicy(Policy policy) {
    run(() -> repository.softDeletePolicy(policyId(policy)));
  }

  @Override
  public String idOf(io.fabric8.kubernetes.api.model.HasMetadata object) {
    return switch (object) {
      case Gateway gateway -> siteId(gateway).toString();
      case Resource resource -> resourceId(resource).toString();
      case Policy policy -> policyId(policy).toString();
      default -> null;
    };
  }

  @Override
  public java.util.OptionalInt connectedGateways(Gateway gateway) {
    try (Connection c = db.connect();
        PreparedStatement ps =
            c.prepareStatement("SELECT count(*) FROM gateway_presences WHERE site_id = ?")) {
      ps.setObject(1, siteId(gateway));
      try (ResultSet rows = ps.executeQuery()) {
        rows.next();
        return java.util.OptionalInt.of(rows.getInt(1));
      }
    } catch (SQLException e) {
      // the API node's presence table is created by its own migration; until then: unknown
      return java.util.OptionalInt.empty();
    }
  }

  public UUID siteId(Gateway gateway) {
    return ControlPlaneIds.site(account, gateway.getMetadata().getNamespace(), gateway.siteName());
  }

  public static UUID resourceId(Resource resource) {
    return ControlPlaneIds.ofUid(resource.getMetadata().getUid());
  }

  public static UUID policyId(Policy policy) {
    return ControlPlaneIds.ofUid(policy.getMetadata().getUid());
  }

  /**
   * The group named in a policy: the existing group of that name in the account (an admin may have
   * created it), or a new one with a stable id.
   */
  private UUID ensureGroup(String name) {
    try (Connection c = db.connect()) {
      return Groups.ensure(c, account, name).id();
    } catch (SQLException e) {
      throw new ControlPlaneException("could not find or create group '" + name + "'", e);
    }
  }

  private void execute(String sql, Object... params) throws SQLException {
    try (Connection c = db.connect();
        PreparedStatement ps = c.prepareStatement(sql)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      ps.executeUpdate();
    }
  }

  @FunctionalInterface
  private interface Sql {
    void run() throws SQLException;
  }

  private static void run(Sql work) {
    try {
      work.run();
    } catch (SQLException e) {
      throw new ControlPlaneException("control-plane database: " + e.getMessage(), e);
    }
  }
}
