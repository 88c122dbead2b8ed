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

  private static final byte STATE_PENDING = 0; // referenced by a policy, row not loaded yet
  private static final byte STATE_LIVE = 1;
  private static final byte STATE_DELETED = 2; // soft-deleted; policies kept for an undelete

  private final UUID clientId;
  private final UUID actorId;
  private final UUID accountId;
  private final LsnGuard guard;
  private ClientContext context;

  // Memberships, keyed by group id.
  private LongKeyTable groups;
  private long[] membershipIds; // 2 per row

  // Resources, keyed by resource id.
  private LongKeyTable resources;
  private byte[] resState;
  private byte[] resKind; // type ordinal | ip stack ordinal << 4
  private TextArena addresses;
  private int[] resAddress; // offset in addresses, TextArena.NONE for internet resources
  private long[][] resFilters;
  private long[][] resSites; // 2 longs per site
  private int[] resPolicies; // how many cached policies point here
  private long[] connectable; // bit per row: what the client has been told

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
    cache.addresses.trim();
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
    resources = new LongKeyTable(2, r);
    int rc = resources.rowCapacity();
    resState = new byte[rc];
    resKind = new byte[rc];
    resAddress = new int[rc];
    addresses = new TextArena(r * 24);
    resFilters = new long[rc][];
    resSites = new long[rc][];
    resPolicies = new int[rc];
    connectable = new long[(rc + 63) >>> 6];
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
      int row = resourceRow(r.id());
      writeResource(row, r);
    }
    for (Row.ResourceConnection rc : s.connections()) {
      int row =
          resources.find(
              rc.resourceId().getMostSignificantBits(), rc.resourceId().getLeastSignificantBits());
      if (row >= 0) {
        addSite(row, rc.siteId());
      }
    }
    for (Row.Policy p : s.policies()) {
      if (groups.find(hi(p.groupId()), lo(p.groupId())) >= 0 && p.live()) {
        putPolicy(p);
      }
    }
    // Resources that no live policy points to are not kept.
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r) && resPolicies[r] == 0) {
        removeResourceRow(r);
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
    int touched = -1;
    if (change.oldRow() instanceof Row.Policy old) {
      int row = policies.find(hi(old.id()), lo(old.id()));
      if (row >= 0) {
        touched = polResource[row];
        removePolicyRow(row);
      }
    }
    if (change.newRow() instanceof Row.Policy p
        && p.live()
        && groups.find(hi(p.groupId()), lo(p.groupId())) >= 0) {
      boolean known = resources.find(hi(p.resourceId()), lo(p.resourceId())) >= 0;
      int row = putPolicy(p);
      if (!known) {
        d.other.add(new ClientDelta.ResourceRequired(p.resourceId()));
      }
      recompute(polResource[row], now, false, d);
    }
    if (touched >= 0 && resources.isLive(touched)) {
      recompute(touched, now, false, d);
    }
    dropUnreferenced(touched, d);
  }

  private void resource(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("resources truncated"));
      return;
    }
    Row.Resource r = (Row.Resource) change.row();
    int row = resources.find(hi(r.id()), lo(r.id()));
    if (row < 0) {
      return;
    }
    if (change.op() == Change.Op.DELETE) {
      resState[row] = STATE_DELETED;
      recompute(row, now, false, d);
      return;
    }
    boolean changed = !sameResource(row, r);
    writeResource(row, r);
    recompute(row, now, false, d);
    if (changed && isConnectable(row) && !d.addedContains(row)) {
      d.added.add(row);
    }
  }

  private void connection(Change<?> change, Instant now, Deltas d) {
    if (change.op() == Change.Op.TRUNCATE) {
      d.other.add(new ClientDelta.HydrationRequired("resource connections truncated"));
      return;
    }
    if (change.oldRow() instanceof Row.ResourceConnection old) {
      int row = resources.find(hi(old.resourceId()), lo(old.resourceId()));
      if (row >= 0 && removeSite(row, old.siteId())) {
        recompute(row, now, true, d);
      }
    }
    if (change.newRow() instanceof Row.ResourceConnection rc) {
      int row = resources.find(hi(rc.resourceId()), lo(rc.resourceId()));
      if (row >= 0 && addSite(row, rc.siteId())) {
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
    int row = resources.find(hi(r.id()), lo(r.id()));
    if (row >= 0) {
      writeResource(row, r);
      resSites[row] = null;
      for (UUID site : siteIds) {
        addSite(row, site);
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
    addresses.trim();
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
    int r = resources.find(hi(resourceId), lo(resourceId));
    if (r < 0
        || resState[r] != STATE_LIVE
        || resSites[r] == null
        || adaptedAddress(r, client.version()) == null) {
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
    int r = resources.find(hi(resourceId), lo(resourceId));
    return r >= 0 && isConnectable(r);
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
        out.put(
            "resource " + uuid(resources, r),
            "state="
                + resState[r]
                + " kind="
                + resKind[r]
                + " address="
                + addresses.get(resAddress[r])
                + " filters="
                + Arrays.toString(resFilters[r])
                + " sites="
                + sites(r)
                + " policies="
                + resPolicies[r]
                + " connectable="
                + isConnectable(r));
      }
    }
    for (int p = 0; p < policies.highWater(); p++) {
      if (policies.isLive(p)) {
        out.put(
            "policy " + uuid(policies, p),
            "group="
                + uuid(groups, polGroup[p])
                + " resource="
                + uuid(resources, polResource[p])
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
    int r = resourceRow(p.resourceId());
    polGroup[row] = groups.find(hi(p.groupId()), lo(p.groupId()));
    polResource[row] = r;
    resPolicies[r]++;
    polConditions[row] = SharedValues.conditions(p.conditionsJson(), p.expiresAt());
    return row;
  }

  private void removePolicyRow(int row) {
    resPolicies[polResource[row]]--;
    polConditions[row] = null;
    policies.remove(row);
  }

  @SuppressWarnings("unchecked")
  private List<Condition> conditions(int policyRow) {
    Object c = polConditions[policyRow];
    return c == null ? List.of() : (List<Condition>) c;
  }

  /** The row of a resource, adding a pending one if absent. */
  private int resourceRow(UUID id) {
    int existing = resources.find(hi(id), lo(id));
    if (existing >= 0) {
      return existing;
    }
    int row = resources.add(hi(id), lo(id));
    int c = resources.rowCapacity();
    if (resState.length < c) {
      resState = Arrays.copyOf(resState, c);
      resKind = Arrays.copyOf(resKind, c);
      resAddress = Arrays.copyOf(resAddress, c);
      resFilters = Arrays.copyOf(resFilters, c);
      resSites = Arrays.copyOf(resSites, c);
      resPolicies = Arrays.copyOf(resPolicies, c);
      connectable = Arrays.copyOf(connectable, (c + 63) >>> 6);
    }
    resState[row] = STATE_PENDING;
    resAddress[row] = TextArena.NONE;
    return row;
  }

  private void writeResource(int row, Row.Resource r) {
    resState[row] = stateOf(r);
    resKind[row] = kindOf(r);
    resFilters[row] = filtersOf(r);
    if (!addresses.matches(resAddress[row], r.address())) {
      addresses.remove(resAddress[row]);
      resAddress[row] = addresses.add(r.address());
      if (addresses.needsCompaction()) {
        for (int i = 0; i < resources.highWater(); i++) {
          if (!resources.isLive(i)) {
            resAddress[i] = TextArena.NONE;
          }
        }
        addresses.compact(resAddress, resources.highWater());
      }
    }
  }

  private static byte stateOf(Row.Resource r) {
    return r.live() ? STATE_LIVE : STATE_DELETED;
  }

  private static byte kindOf(Row.Resource r) {
    return (byte)
        (ResourceType.fromSql(r.type()).ordinal() | IpStack.fromSql(r.ipStack()).ordinal() << 4);
  }

  private static long[] filtersOf(Row.Resource r) {
    try {
      return Filters.parse(r.filtersJson());
    } catch (IllegalArgumentException e) {
      return new long[0]; // unparseable filters: allow nothing rather than everything
    }
  }

  /** Whether the row already holds exactly what {@code r} says (nothing to push). */
  private boolean sameResource(int row, Row.Resource r) {
    return resState[row] == stateOf(r)
        && resKind[row] == kindOf(r)
        && Arrays.equals(resFilters[row], filtersOf(r))
        && addresses.matches(resAddress[row], r.address());
  }

  private void dropUnreferenced(int row, Deltas d) {
    if (row >= 0 && resources.isLive(row) && resPolicies[row] == 0) {
      if (isConnectable(row)) {
        d.removedRows.add(row);
        d.removedIds.add(uuid(resources, row));
      }
      removeResourceRow(row);
    }
  }

  private void removeResourceRow(int row) {
    setConnectable(row, false);
    addresses.remove(resAddress[row]);
    resAddress[row] = TextArena.NONE;
    resFilters[row] = null;
    resSites[row] = null;
    resPolicies[row] = 0;
    resState[row] = STATE_PENDING;
    resources.remove(row);
  }

  private boolean addSite(int row, UUID site) {
    long[] sites = resSites[row];
    if (sites != null) {
      for (int i = 0; i < sites.length; i += 2) {
        if (sites[i] == hi(site) && sites[i + 1] == lo(site)) {
          return false;
        }
      }
    }
    long[] next = sites == null ? new long[2] : Arrays.copyOf(sites, sites.length + 2);
    next[next.length - 2] = hi(site);
    next[next.length - 1] = lo(site);
    resSites[row] = SharedValues.array(next);
    return true;
  }

  private boolean removeSite(int row, UUID site) {
    long[] sites = resSites[row];
    if (sites == null) {
      return false;
    }
    for (int i = 0; i < sites.length; i += 2) {
      if (sites[i] == hi(site) && sites[i + 1] == lo(site)) {
        if (sites.length == 2) {
          resSites[row] = null;
        } else {
          long[] next = new long[sites.length - 2];
          System.arraycopy(sites, 0, next, 0, i);
          System.arraycopy(sites, i + 2, next, i, sites.length - i - 2);
          resSites[row] = SharedValues.array(next);
        }
        return true;
      }
    }
    return false;
  }

  private List<UUID> sites(int row) {
    long[] sites = resSites[row];
    if (sites == null) {
      return List.of();
    }
    List<UUID> out = new ArrayList<>(sites.length / 2);
    for (int i = 0; i < sites.length; i += 2) {
      out.add(new UUID(sites[i], sites[i + 1]));
    }
    out.sort(null); // a set: report it in a stable order
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // The connectable set

  private boolean isConnectable(int row) {
    return (connectable[row >>> 6] & (1L << row)) != 0;
  }

  private void setConnectable(int row, boolean on) {
    if (on) {
      connectable[row >>> 6] |= 1L << row;
    } else {
      connectable[row >>> 6] &= ~(1L << row);
    }
  }

  private String adaptedAddress(int row, Version version) {
    ResourceType type = ResourceType.values()[resKind[row] & 0xf];
    return VersionCompatibility.adaptAddress(type, addresses.get(resAddress[row]), version, true);
  }

  private boolean eligible(int row) {
    return resState[row] == STATE_LIVE
        && resSites[row] != null
        && adaptedAddress(row, context.version()) != null;
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
    boolean was = isConnectable(row);
    if (was && (!should || toggle)) {
      removed.add(row);
      removedIds.add(uuid(resources, row));
    }
    if (should && (!was || toggle) && !added.contains(row)) {
      added.add(row);
    }
    setConnectable(row, should);
  }

  private ResourceView view(int row, Version version) {
    String address = adaptedAddress(row, version);
    if (address == null) {
      return null;
    }
    return new ResourceView(
        uuid(resources, row),
        ResourceType.values()[resKind[row] & 0xf],
        address,
        IpStack.values()[resKind[row] >> 4],
        Filters.unpack(resFilters[row]),
        sites(row));
  }

  private Map<UUID, ResourceView> connectableViews() {
    Map<UUID, ResourceView> out = new HashMap<>();
    for (int r = 0; r < resources.highWater(); r++) {
      if (resources.isLive(r) && isConnectable(r)) {
        out.put(uuid(resources, r), view(r, context.version()));
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
        if (resources.isLive(row) && isConnectable(row)) {
          out.add(new ClientDelta.ResourceCreatedOrUpdated(view(row, context.version())));
        }
      }
      out.addAll(other);
      return out;
    }
  }
}
