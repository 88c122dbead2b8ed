package dev.gatehouse.operator.inject;

import dev.gatehouse.apinode.store.AdminStore;
import dev.gatehouse.operator.sync.ControlPlaneException;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/** Workload tokens in the control plane's database, through the API node's {@link AdminStore}. */
public final class AdminWorkloadTokenStore implements WorkloadTokenStore {
  private final AdminStore admin;
  private final UUID account;

  public AdminWorkloadTokenStore(AdminStore admin, UUID account) {
    this.admin = admin;
    this.account = account;
  }

  @Override
  public boolean issue(String actorName, UUID tokenId, String token, String workload) {
    try {
      UUID actor = admin.ensureServiceAccount(account, actorName);
      return admin.issueWorkloadToken(account, tokenId, actor, token, workload);
    } catch (SQLException e) {
      throw new ControlPlaneException("cannot mint the token of " + workload, e);
    }
  }

  @Override
  public void revoke(UUID tokenId) {
    try {
      admin.deleteToken(account, tokenId);
    } catch (SQLException e) {
      throw new ControlPlaneException("cannot revoke workload token " + tokenId, e);
    }
  }

  @Override
  public int revokeAllExcept(Set<UUID> keep, Set<String> namespaces, Instant issuedBefore) {
    try {
      return admin.revokeWorkloadTokensExcept(account, keep, namespaces, issuedBefore);
    } catch (SQLException e) {
      throw new ControlPlaneException("cannot sweep the workload tokens", e);
    }
  }
}
