package dev.gatehouse.controlplane.cache;

import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.LsnGuard;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The slim cache of one connected client: its actor's memberships, the policies of those groups,
 * the resources they point to, and which of those resources the client may connect to right now
 * (the connectable set). Pure: {@link #apply} takes a change and the current time and returns the
 * {@link ClientDelta}s to push; nothing here does I/O.
 *
 * <p>A resource is connectable when (1) some cached policy for it has all conditions holding for
 * the client, (2) the client's version can handle it ({@link VersionCompatibility}), and (3) at
 * least one site serves it. Every mutation diffs the connectable set: resources that leave it yield
 * {@link ClientDelta.ResourceDeleted}, resources that join or change yield {@link
 * ClientDelta.ResourceCreatedOrUpdated}; a connectable resource whose sites change is reported as
 * deleted, then created (Firezone's "toggle"). Deletes come before creates.
 *
 * <p>Layout: ids are kept as two longs in {@link LongKeyTable}s and every field in a column array
 * indexed by row, so an entry costs a few dozen bytes (see BENCHMARKS.md). Policies refer to their
 * group and resource by row. Not thread-safe: one owner thread.
 */
public final class ClientCache {

  private final UUID clientId;
  private final UUID actorId;
  private final UUID accountId;
  private final LsnGuard guard;
  private ClientContext context;

  // Memberships, keyed by group id.
  private LongKeyTable groups;
  private long[] membershipIds; // 2 per row

  private ResourceTable resources;

  // Policies, keyed by policy id.
  private LongKeyTable policies;
  private int[] polGroup;
  private int[] polResource;
  private Object[] polConditions; // List<Condition>, or null when none

  private ClientCache(
      UUID clientId, UUID actorId, UUID accountId, ClientContext context, int p, int r, int m) {
    this.clientId = clientId;
    this.actorId = actorId;
    this.accountId = accountId;
    this.context = context;
    this.guard = new LsnGuard("client " + clientId);
    reset(p, r, m);
  }

  /**
   * Builds the cache from a database snapshot; {@link #connectable()} is computed for {@code now}.
   */
  public static ClientCache fromSnapshot(ClientSnapshot snapshot, byte[] remoteIp, Instant now) {
    Row.Client c = snapshot.client();
    ClientCache cache =
        new ClientCache(
            c.id(),
            c.actorId(),
            c.accountId(),
            contextOf(c, remoteIp, snapshot.tokenExpiresAt()),
            snapshot.policies().size(),
            snapshot.resources().size(),
            snapshot.memberships().size());
    cache.load(snapshot);
    cache.resources.trim();
    cache.recomputeAll(now, cache.new Deltas());
    return cache;
  }

  private static ClientContext contextOf(Row.Client c, byte[] remoteIp, Instant tokenExpiresAt) {
    byte[] ip = remoteIp != null ? remoteIp : ClientContext.ipOrNull(c.lastSeenRemoteIp());
    return new ClientContext(
        ip, c.verifiedAt() != null, Version.parseOrUnknown(c.lastSeenVersion()), tokenExpiresAt);
  }

  private void reset(int p, int r, int m) {
    groups = new LongKeyTable(2, m);
    membershipIds = new long[groups.rowCapacity() * 2];
    resources = new ResourceTable(r);
    policies = new LongKeyTable(2, p);
    int pc = policies.rowCapacity();
    polGroup = new int[pc];
    polResource = new int[pc];
    polConditions = new Object[pc];
  }

  private void load(ClientSnapshot s) {
    for (Row.Membership m : s.memberships()) {
      putMembership(m);
    }
    for (Row.Resource r : s.resources()) {
      resources.write(resources.rowFor(r.id()), r);
    }
    for (Row.ResourceConnection rc : s.connections()) {
      int row = resources.find(rc.resourceId());
      if (row >= 0) {
        resources.addSite(row, rc.siteId());
      }
    }
    for (Row.Policy p : s.policies()) {
      if (groups.find(hi(p.groupId()), lo(p.groupId())) >= 0 && p.live()) {
        putPolicy(p);
      }
    }
    // Resources that no live policy points to are not kept.
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r) && resources.policies(r) == 0) {
        resources.remove(r);
      }
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Applying changes

  /**
   * Applies one change at {@code now}. A change not after the last applied position is dropped
   * (counted in {@link #droppedChanges()}, logged) and yields nothing.
   */
  public List<ClientDelta> apply(Change<?> change, Instant now) {
    if (!guard.admit(change)) {
      return List.of();
    }
    Deltas d = new Deltas();
    switch (change.table()) {
      case MEMBERSHIPS -> membership(change, now, d);
      case POLICIES -> policy(change, now, d);
      case RESOURCES -> resource(change, now, d);
      case RESOURCE_CONNECTIONS -> connection(change, now, d);
      case CLIENTS -> client(change, now, d);
      case GROUPS -> {
        if (change.op() == Change.Op.DELETE && change.oldRow() instanceof Row.Group g) {
          dropGroup(g.id(), now, d);
        }
      }
      case ACTORS -> {
        if (change.row() instanceof Row.Actor a
            && a.id().equals(actorId)
            && (change.op() == Change.Op.DELETE || a.disabledAt() != null)) {
          d.other.add(new ClientDelta.Disconnect("actor deleted or disabled"));
        }
      }
      case ACCOUNTS -> {
        if (change.op() == Change.Op.DELETE
            && change.oldRow() instanceof Row.Account a
            && a.id().equals(accountId)) {
          d.other.add(new ClientDelta.Disconnect("account deleted or disabled"));
        }
      }
      default -> {}
    }
    return d.toList();
  }

  private void membership(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("memberships truncated"));
      return;
    }
    if (change.oldRow() instanceof Row.Membership old && actorId.equals(old.actorId())) {
      if (!(change.newRow() instanceof Row.Membership m && m.groupId().equals(old.groupId()))) {
        dropGroup(old.groupId(), now, d);
      }
    }
    if (change.newRow() instanceof Row.Membership m && actorId.equals(m.actorId())) {
      boolean known = groups.find(hi(m.groupId()), lo(m.groupId())) >= 0;
      putMembership(m);
      if (!known) {
        d.other.add(new ClientDelta.HydrationRequired("actor joined group " + m.groupId()));
      }
    }
  }

  private void policy(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("policies truncated"));
      return;
    }
    // Forget the policy as the cache holds it, under its old id and under its new one: after a
    // hydration, a change already in the snapshot arrives again (an INSERT of a policy the cache
    // has), and putting it twice would count it twice against its resource.
    List<Integer> touched = new ArrayList<>(2);
    if (change.oldRow() instanceof Row.Policy old) {
      forgetPolicy(old.id(), touched);
    }
    if (change.newRow() instanceof Row.Policy p) {
      forgetPolicy(p.id(), touched);
    }
    if (change.newRow() instanceof Row.Policy p
        && p.live()
        && groups.find(hi(p.groupId()), lo(p.groupId())) >= 0) {
      boolean known = resources.find(p.resourceId()) >= 0;
      int row = putPolicy(p);
      if (!known) {
        d.other.add(new ClientDelta.ResourceRequired(p.resourceId()));
      }
      recompute(polResource[row], now, false, d);
    }
    for (int r : touched) {
      if (resources.isLive(r)) {
        recompute(r, now, false, d);
      }
      dropUnreferenced(r, d);
    }
  }

  /** Removes the policy {@code id} if the cache holds it, noting the resource it counted for. */
  private void forgetPolicy(UUID id, List<Integer> touched) {
    int row = policies.find(hi(id), lo(id));
    if (row >= 0) {
      if (!touched.contains(polResource[row])) {
        touched.add(polResource[row]);
      }
      removePolicyRow(row);
    }
  }

  private void resource(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("resources truncated"));
      return;
    }
    Row.Resource r = (Row.Resource) change.row();
    int row = resources.find(r.id());
    if (row < 0) {
      return;
    }
    if (change.op() == Change.Op.DELETE) {
      resources.markDeleted(row);
      recompute(row, now, false, d);
      return;
    }
    boolean changed = !resources.same(row, r);
    resources.write(row, r);
    recompute(row, now, false, d);
    if (changed && resources.connectable(row) && !d.addedContains(row)) {
      d.added.add(row);
    }
  }

  private void connection(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("resource connections truncated"));
      return;
    }
    if (change.oldRow() instanceof Row.ResourceConnection old) {
      int row = resources.find(old.resourceId());
      if (row >= 0 && resources.removeSite(row, old.siteId())) {
        recompute(row, now, true, d);
      }
    }
    if (change.newRow() instanceof Row.ResourceConnection rc) {
      int row = resources.find(rc.resourceId());
      if (row >= 0 && resources.addSite(row, rc.siteId())) {
        recompute(row, now, true, d);
      }
    }
  }

  private void client(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.DELETE
        && change.oldRow() instanceof Row.Client c
        && c.id().equals(clientId)) {
      d.other.add(new ClientDelta.Disconnect("client deleted"));
      return;
    }
    if (change.newRow() instanceof Row.Client c && c.id().equals(clientId)) {
      ClientContext next =
          new ClientContext(
              context.remoteIp(),
              c.verifiedAt() != null,
              Version.parseOrUnknown(c.lastSeenVersion()),
              context.tokenExpiresAt());
      if (!next.equals(context)) {
        context = next;
        recomputeAll(now, d);
      }
    }
  }

  /**
   * Re-evaluates every resource at {@code now} (time windows open and close, policies expire); the
   * owner calls this periodically, e.g. every minute.
   */
  public List<ClientDelta> recompute(Instant now) {
    Deltas d = new Deltas();
    recomputeAll(now, d);
    return d.toList();
  }

  /** Replaces the client's context (e.g. a new remote IP on reconnect) and re-evaluates. */
  public List<ClientDelta> updateContext(ClientContext next, Instant now) {
    context = next;
    return recompute(now);
  }

  /** Supplies a resource that a {@link ClientDelta.ResourceRequired} asked for. */
  public List<ClientDelta> loadResource(Row.Resource r, List<UUID> siteIds, Instant now) {
    Deltas d = new Deltas();
    int row = resources.find(r.id());
    if (row >= 0) {
      resources.write(row, r);
      resources.clearSites(row);
      for (UUID site : siteIds) {
        resources.addSite(row, site);
      }
      recompute(row, now, false, d);
    }
    return d.toList();
  }

  /**
   * Replaces the whole content with a fresh database snapshot and returns the difference the client
   * must be told (the owner's answer to {@link ClientDelta.HydrationRequired}).
   */
  public List<ClientDelta> hydrate(ClientSnapshot snapshot, Instant now) {
    Map<UUID, ResourceView> before = connectableViews();
    context = contextOf(snapshot.client(), context.remoteIp(), snapshot.tokenExpiresAt());
    reset(snapshot.policies().size(), snapshot.resources().size(), snapshot.memberships().size());
    load(snapshot);
    resources.trim();
    recomputeAll(now, new Deltas());
    Map<UUID, ResourceView> after = connectableViews();
    List<ClientDelta> deleted = new ArrayList<>();
    List<ClientDelta> created = new ArrayList<>();
    before.forEach(
        (id, view) -> {
          ResourceView now2 = after.get(id);
          if (now2 == null || !now2.siteIds().equals(view.siteIds())) {
            deleted.add(new ClientDelta.ResourceDeleted(id));
          }
        });
    after.forEach(
        (id, view) -> {
          if (!view.equals(before.get(id))) {
            created.add(new ClientDelta.ResourceCreatedOrUpdated(view));
          }
        });
    deleted.addAll(created);
    return deleted;
  }

  // ---------------------------------------------------------------------------------------------
  // Authorization

  /**
   * Decides whether the client may connect to {@code resourceId} at {@code now} with {@code
   * client}'s context: among the resource's policies whose conditions hold, the one whose access
   * lasts longest, capped at the token's expiry.
   */
  public Authorization authorize(UUID resourceId, ClientContext client, Instant now) {
    int r = resources.find(resourceId);
    if (r < 0 || !resources.eligible(r, client.version())) {
      return new Authorization.NotFound(resourceId);
    }
    int best = -1;
    Instant bestUntil = null;
    List<String> violated = new ArrayList<>();
    for (int p = 0; p < policies.highWater(); p++) {
      if (!policies.isLive(p) || polResource[p] != r) {
        continue;
      }
      Conditions.Evaluation e = Conditions.evaluate(conditions(p), client, now);
      if (!e.holds()) {
        e.violated().stream().filter(v -> !violated.contains(v)).forEach(violated::add);
      } else if (best < 0 || lastsLonger(e.expiresAt(), bestUntil)) {
        best = p;
        bestUntil = e.expiresAt();
      }
    }
    if (best < 0) {
      return new Authorization.Forbidden(resourceId, violated);
    }
    Instant token = client.tokenExpiresAt();
    Instant until =
        token != null && (bestUntil == null || token.isBefore(bestUntil)) ? token : bestUntil;
    int g = polGroup[best];
    return new Authorization.Allowed(
        resourceId,
        new UUID(policies.key(best, 0), policies.key(best, 1)),
        new UUID(membershipIds[g * 2], membershipIds[g * 2 + 1]),
        until);
  }

  private static boolean lastsLonger(Instant a, Instant b) {
    return b != null && (a == null || a.isAfter(b));
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  /** The resources the client may connect to now, as pushed to it. */
  public List<ResourceView> connectable() {
    return List.copyOf(connectableViews().values());
  }

  public boolean isConnectable(UUID resourceId) {
    int r = resources.find(resourceId);
    return r >= 0 && resources.connectable(r);
  }

  public UUID clientId() {
    return clientId;
  }

  public ClientContext context() {
    return context;
  }

  /** Changes dropped as duplicate or out of order. */
  public long droppedChanges() {
    return guard.dropped();
  }

  public int policyCount() {
    return policies.size();
  }

  public int resourceCount() {
    return resources.size();
  }

  public int membershipCount() {
    return groups.size();
  }

  /** A canonical, comparable description of the whole content (for tests and diagnostics). */
  public Map<String, String> describe() {
    Map<String, String> out = new java.util.TreeMap<>();
    for (int g = 0; g < groups.highWater(); g++) {
      if (groups.isLive(g)) {
        out.put(
            "membership " + uuid(groups, g),
            new UUID(membershipIds[g * 2], membershipIds[g * 2 + 1]).toString());
      }
    }
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r)) {
        out.put("resource " + resources.id(r), resources.describe(r));
      }
    }
    for (int p = 0; p < policies.highWater(); p++) {
      if (policies.isLive(p)) {
        out.put(
            "policy " + uuid(policies, p),
            "group="
                + uuid(groups, polGroup[p])
                + " resource="
                + resources.id(polResource[p])
                + " conditions="
                + conditions(p));
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Rows and columns

  private void putMembership(Row.Membership m) {
    int row = groups.add(hi(m.groupId()), lo(m.groupId()));
    if (membershipIds.length < groups.rowCapacity() * 2) {
      membershipIds = Arrays.copyOf(membershipIds, groups.rowCapacity() * 2);
    }
    membershipIds[row * 2] = hi(m.id());
    membershipIds[row * 2 + 1] = lo(m.id());
  }

  private void dropGroup(UUID groupId, Instant now, Deltas d) {
    int g = groups.find(hi(groupId), lo(groupId));
    if (g < 0) {
      return;
    }
    List<Integer> touched = new ArrayList<>();
    for (int p = 0; p < policies.highWater(); p++) {
      if (policies.isLive(p) && polGroup[p] == g) {
        touched.add(polResource[p]);
        removePolicyRow(p);
      }
    }
    groups.remove(g);
    for (int r : touched) {
      if (resources.isLive(r)) {
        recompute(r, now, false, d);
        dropUnreferenced(r, d);
      }
    }
  }

  private int putPolicy(Row.Policy p) {
    int row = policies.add(hi(p.id()), lo(p.id()));
    if (polGroup.length < policies.rowCapacity()) {
      int c = policies.rowCapacity();
      polGroup = Arrays.copyOf(polGroup, c);
      polResource = Arrays.copyOf(polResource, c);
      polConditions = Arrays.copyOf(polConditions, c);
    }
    int r = resources.rowFor(p.resourceId());
    polGroup[row] = groups.find(hi(p.groupId()), lo(p.groupId()));
    polResource[row] = r;
    resources.addPolicy(r);
    polConditions[row] = SharedValues.conditions(p.conditionsJson(), p.expiresAt());
    return row;
  }

  private void removePolicyRow(int row) {
    resources.removePolicy(polResource[row]);
    polConditions[row] = null;
    policies.remove(row);
  }

  @SuppressWarnings("unchecked")
  private List<Condition> conditions(int policyRow) {
    Object c = polConditions[policyRow];
    return c == null ? List.of() : (List<Condition>) c;
  }

  private void dropUnreferenced(int row, Deltas d) {
    if (row >= 0 && resources.isLive(row) && resources.policies(row) == 0) {
      if (resources.connectable(row)) {
        d.removedRows.add(row);
        d.removedIds.add(resources.id(row));
      }
      resources.remove(row);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // The connectable set

  private boolean eligible(int row) {
    return resources.eligible(row, context.version());
  }

  private boolean anyPolicyHolds(int row, Instant now) {
    for (int p = 0; p < policies.highWater(); p++) {
      if (policies.isLive(p)
          && polResource[p] == row
          && Conditions.holds(conditions(p), context, now)) {
        return true;
      }
    }
    return false;
  }

  /**
   * Re-evaluates one resource; {@code toggle} reports a still-connectable one as removed + added.
   */
  private void recompute(int row, Instant now, boolean toggle, Deltas d) {
    boolean should = eligible(row) && anyPolicyHolds(row, now);
    transition(row, should, toggle, d.removedRows, d.added, d.removedIds);
  }

  private void recomputeAll(Instant now, Deltas d) {
    boolean[] holds = new boolean[resources.highWater()];
    for (int p = 0; p < policies.highWater(); p++) {
      if (policies.isLive(p)
          && !holds[polResource[p]]
          && Conditions.holds(conditions(p), context, now)) {
        holds[polResource[p]] = true;
      }
    }
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r)) {
        transition(r, holds[r] && eligible(r), false, d.removedRows, d.added, d.removedIds);
      }
    }
  }

  private void transition(
      int row,
      boolean should,
      boolean toggle,
      List<Integer> removed,
      List<Integer> added,
      List<UUID> removedIds) {
    boolean was = resources.connectable(row);
    if (was && (!should || toggle)) {
      removed.add(row);
      removedIds.add(resources.id(row));
    }
    if (should && (!was || toggle) && !added.contains(row)) {
      added.add(row);
    }
    resources.setConnectable(row, should);
  }

  private Map<UUID, ResourceView> connectableViews() {
    Map<UUID, ResourceView> out = new HashMap<>();
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r) && resources.connectable(r)) {
        out.put(resources.id(r), resources.view(r, context.version()));
      }
    }
    return out;
  }

  private static UUID uuid(LongKeyTable table, int row) {
    return new UUID(table.key(row, 0), table.key(row, 1));
  }

  private static long hi(UUID id) {
    return id.getMostSignificantBits();
  }

  private static long lo(UUID id) {
    return id.getLeastSignificantBits();
  }

  /** Deltas of one mutation, kept as rows until the end so a resource is rendered once. */
  private final class Deltas {
    final List<Integer> removedRows = new ArrayList<>();
    final List<UUID> removedIds = new ArrayList<>();
    final List<Integer> added = new ArrayList<>();
    final List<ClientDelta> other = new ArrayList<>();

    boolean addedContains(int row) {
      return added.contains(row);
    }

    List<ClientDelta> toList() {
      if (removedIds.isEmpty() && added.isEmpty() && other.isEmpty()) {
        return List.of();
      }
      List<ClientDelta> out = new ArrayList<>();
      for (UUID id : removedIds) {
        out.add(new ClientDelta.ResourceDeleted(id));
      }
      for (int row : added) {
        if (resources.isLive(row) && resources.connectable(row)) {
          out.add(new ClientDelta.ResourceCreatedOrUpdated(resources.view(row, context.version())));
        }
      }
      out.addAll(other);
      return out;
    }
  }
}
