package dev.gatehouse.controlplane.cache;

import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.LsnGuard;
import dev.gatehouse.controlplane.cdc.Row;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;

/**
 * The slim cache of one connected gateway: for every (client, resource) pair it serves, the flows
 * that authorize it and their expiries. Pure apart from the injected {@link FlowReauthorizer}:
 * {@link #apply} takes a change and the time and returns the {@link GatewayDelta}s to push.
 *
 * <ul>
 *   <li>Flow deleted: if the pair keeps other flows, its expiry is recomputed (and pushed if it
 *       changed); if it was the last, the reauthorizer looks for another conforming policy, giving
 *       a new expiry, or the gateway is told {@code reject_access}.
 *   <li>Flow inserted or updated for this gateway: recorded; an existing pair whose expiry changes
 *       gets {@code access_authorization_expiry_updated}. New pairs are announced by the flow setup
 *       ({@code authorize_flow}), not here.
 *   <li>Resource changed: a change of filters only is pushed as {@code resource_updated}; a change
 *       of address, type or IP stack, or a delete, rejects every pair of the resource.
 * </ul>
 *
 * <p>Layout: pairs live in a {@link LongKeyTable} keyed by four longs; each pair's flows are one
 * {@code long[]} of (flow id high, flow id low, expiry in epoch ms) triples. Not thread-safe.
 */
public final class GatewayCache {

  private final UUID gatewayId;
  private final LsnGuard guard;
  private final FlowReauthorizer reauthorizer;
  private Version version;
  private final LongKeyTable pairs;
  private long[][] flows;

  private GatewayCache(
      UUID gatewayId, Version version, FlowReauthorizer reauthorizer, int expectedPairs) {
    this.gatewayId = gatewayId;
    this.version = version;
    this.reauthorizer = reauthorizer;
    this.guard = new LsnGuard("gateway " + gatewayId);
    this.pairs = new LongKeyTable(4, expectedPairs);
    this.flows = new long[pairs.rowCapacity()][];
  }

  /** An empty cache. */
  public static GatewayCache empty(UUID gatewayId, Version version, FlowReauthorizer reauthorizer) {
    return new GatewayCache(gatewayId, version, reauthorizer, 16);
  }

  /**
   * Builds the cache from the gateway's flows as loaded from the database; expired ones are
   * skipped.
   */
  public static GatewayCache fromFlows(
      UUID gatewayId,
      Version version,
      List<Row.Flow> rows,
      Instant now,
      FlowReauthorizer reauthorizer) {
    GatewayCache cache =
        new GatewayCache(gatewayId, version, reauthorizer, Math.max(16, rows.size() / 4));
    for (Row.Flow f : rows) {
      if (gatewayId.equals(f.gatewayId()) && f.expiresAt().isAfter(now)) {
        cache.putFlow(f.clientId(), f.resourceId(), f.id(), f.expiresAt());
      }
    }
    cache.pairs.compact();
    cache.flows = java.util.Arrays.copyOf(cache.flows, cache.pairs.rowCapacity());
    return cache;
  }

  /**
   * Applies one change at {@code now}. A change not after the last applied position is dropped
   * (counted in {@link #droppedChanges()}, logged) and yields nothing.
   */
  public List<GatewayDelta> apply(Change<?> change, Instant now) {
    if (!guard.admit(change)) {
      return List.of();
    }
    return switch (change.table()) {
      case FLOWS -> flow(change, now);
      case RESOURCES -> resource(change);
      case GATEWAYS -> {
        if (change.op() == Change.Op.DELETE
            && change.oldRow() instanceof Row.Gateway g
            && g.id().equals(gatewayId)) {
          yield List.of(new GatewayDelta.Disconnect("gateway deleted"));
        }
        if (change.newRow() instanceof Row.Gateway g && g.id().equals(gatewayId)) {
          version = Version.parseOrUnknown(g.lastSeenVersion());
        }
        yield List.of();
      }
      default -> List.of();
    };
  }

  private List<GatewayDelta> flow(Change<?> change, Instant now) {
    List<GatewayDelta> out = new ArrayList<>();
    Row.Flow old =
        change.oldRow() instanceof Row.Flow f && gatewayId.equals(f.gatewayId()) ? f : null;
    Row.Flow next =
        change.newRow() instanceof Row.Flow f && gatewayId.equals(f.gatewayId()) ? f : null;
    if (old != null
        && next != null
        && old.clientId().equals(next.clientId())
        && old.resourceId().equals(next.resourceId())) {
      int row = find(old.clientId(), old.resourceId());
      long before = row >= 0 ? maxExpiry(row) : Long.MIN_VALUE;
      if (row >= 0) {
        removeFlow(row, old.id());
      }
      row = putFlow(next.clientId(), next.resourceId(), next.id(), next.expiresAt());
      if (before != Long.MIN_VALUE) {
        expiryChanged(next, before, row, out);
      }
      return out;
    }
    if (old != null) {
      int row = find(old.clientId(), old.resourceId());
      if (row >= 0) {
        long before = maxExpiry(row);
        removeFlow(row, old.id());
        if (flows[row] == null) {
          pairs.remove(row);
          reauthorize(old, now, out);
        } else {
          expiryChanged(old, before, row, out);
        }
      }
    }
    if (next != null) {
      int existing = find(next.clientId(), next.resourceId());
      long before = existing >= 0 ? maxExpiry(existing) : Long.MIN_VALUE;
      int row = putFlow(next.clientId(), next.resourceId(), next.id(), next.expiresAt());
      if (existing >= 0) {
        expiryChanged(next, before, row, out);
      }
    }
    return out;
  }

  private void expiryChanged(Row.Flow f, long before, int row, List<GatewayDelta> out) {
    long after = maxExpiry(row);
    if (after != before) {
      out.add(
          new GatewayDelta.AccessAuthorizationExpiryUpdated(
              f.clientId(), f.resourceId(), Instant.ofEpochMilli(after)));
    }
  }

  private void reauthorize(Row.Flow deleted, Instant now, List<GatewayDelta> out) {
    Optional<FlowReauthorizer.Replacement> replacement =
        reauthorizer.reauthorize(
            gatewayId, deleted.clientId(), deleted.resourceId(), deleted.expiresAt(), now);
    if (replacement.isPresent() && replacement.get().expiresAt().isAfter(now)) {
      FlowReauthorizer.Replacement r = replacement.get();
      Instant expiresAt =
          r.expiresAt().isAfter(deleted.expiresAt()) ? deleted.expiresAt() : r.expiresAt();
      putFlow(deleted.clientId(), deleted.resourceId(), r.flowId(), expiresAt);
      out.add(
          new GatewayDelta.AccessAuthorizationExpiryUpdated(
              deleted.clientId(), deleted.resourceId(), expiresAt));
    } else {
      out.add(new GatewayDelta.RejectAccess(deleted.clientId(), deleted.resourceId()));
    }
  }

  private List<GatewayDelta> resource(Change<?> change) {
    Row.Resource r = (Row.Resource) change.row();
    if (r == null || !hasResource(r.id())) {
      return List.of();
    }
    boolean breaking =
        switch (change.op()) {
          case DELETE, TRUNCATE -> true;
          case INSERT -> false;
          case UPDATE -> {
            Row.Resource old = (Row.Resource) change.oldRow();
            yield old == null
                || !Objects.equals(old.address(), r.address())
                || !Objects.equals(old.type(), r.type())
                || !Objects.equals(old.ipStack(), r.ipStack());
          }
        };
    if (breaking) {
      return rejectResource(r.id());
    }
    Row.Resource old = (Row.Resource) change.oldRow();
    if (old != null && Objects.equals(old.filtersJson(), r.filtersJson())) {
      return List.of();
    }
    ResourceType type = ResourceType.fromSql(r.type());
    String address = VersionCompatibility.adaptAddress(type, r.address(), version, false);
    if (address == null) {
      return rejectResource(r.id());
    }
    long[] filters;
    try {
      filters = Filters.parse(r.filtersJson());
    } catch (IllegalArgumentException e) {
      return rejectResource(r.id());
    }
    return List.of(
        new GatewayDelta.ResourceUpdated(
            new ResourceView(
                r.id(),
                type,
                address,
                IpStack.fromSql(r.ipStack()),
                Filters.unpack(filters),
                List.of())));
  }

  private List<GatewayDelta> rejectResource(UUID resourceId) {
    List<GatewayDelta> out = new ArrayList<>();
    for (int row = 0; row < pairs.highWater(); row++) {
      if (pairs.isLive(row)
          && pairs.key(row, 2) == resourceId.getMostSignificantBits()
          && pairs.key(row, 3) == resourceId.getLeastSignificantBits()) {
        out.add(
            new GatewayDelta.RejectAccess(
                new UUID(pairs.key(row, 0), pairs.key(row, 1)), resourceId));
        flows[row] = null;
        pairs.remove(row);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Records a flow (from flow setup or hydration); an existing flow id gets the new expiry.
   *
   * @return the pair's row
   */
  public int putFlow(UUID clientId, UUID resourceId, UUID flowId, Instant expiresAt) {
    int row =
        pairs.add(
            clientId.getMostSignificantBits(), clientId.getLeastSignificantBits(),
            resourceId.getMostSignificantBits(), resourceId.getLeastSignificantBits());
    if (flows.length < pairs.rowCapacity()) {
      flows = java.util.Arrays.copyOf(flows, pairs.rowCapacity());
    }
    long hi = flowId.getMostSignificantBits();
    long lo = flowId.getLeastSignificantBits();
    long[] f = flows[row];
    if (f != null) {
      for (int i = 0; i < f.length; i += 3) {
        if (f[i] == hi && f[i + 1] == lo) {
          f[i + 2] = expiresAt.toEpochMilli();
          return row;
        }
      }
    }
    long[] next = f == null ? new long[3] : java.util.Arrays.copyOf(f, f.length + 3);
    next[next.length - 3] = hi;
    next[next.length - 2] = lo;
    next[next.length - 1] = expiresAt.toEpochMilli();
    flows[row] = next;
    return row;
  }

  private void removeFlow(int row, UUID flowId) {
    long[] f = flows[row];
    long hi = flowId.getMostSignificantBits();
    long lo = flowId.getLeastSignificantBits();
    for (int i = 0; f != null && i < f.length; i += 3) {
      if (f[i] == hi && f[i + 1] == lo) {
        if (f.length == 3) {
          flows[row] = null;
        } else {
          long[] next = new long[f.length - 3];
          System.arraycopy(f, 0, next, 0, i);
          System.arraycopy(f, i + 3, next, i, f.length - i - 3);
          flows[row] = next;
        }
        return;
      }
    }
  }

  /** Removes expired flows and pairs left without flows; returns how many flows were removed. */
  public int prune(Instant now) {
    long nowMs = now.toEpochMilli();
    int removed = 0;
    for (int row = 0; row < pairs.highWater(); row++) {
      long[] f = flows[row];
      if (!pairs.isLive(row) || f == null) {
        continue;
      }
      int keep = 0;
      for (int i = 0; i < f.length; i += 3) {
        if (f[i + 2] > nowMs) {
          keep++;
        }
      }
      if (keep == f.length / 3) {
        continue;
      }
      removed += f.length / 3 - keep;
      if (keep == 0) {
        flows[row] = null;
        pairs.remove(row);
        continue;
      }
      long[] next = new long[keep * 3];
      int j = 0;
      for (int i = 0; i < f.length; i += 3) {
        if (f[i + 2] > nowMs) {
          System.arraycopy(f, i, next, j, 3);
          j += 3;
        }
      }
      flows[row] = next;
    }
    return removed;
  }

  private int find(UUID clientId, UUID resourceId) {
    return pairs.find(
        clientId.getMostSignificantBits(), clientId.getLeastSignificantBits(),
        resourceId.getMostSignificantBits(), resourceId.getLeastSignificantBits());
  }

  private long maxExpiry(int row) {
    long max = Long.MIN_VALUE;
    long[] f = flows[row];
    for (int i = 0; f != null && i < f.length; i += 3) {
      max = Math.max(max, f[i + 2]);
    }
    return max;
  }

  /** The latest expiry among the pair's flows, if it has any. */
  public Optional<Instant> expiry(UUID clientId, UUID resourceId) {
    int row = find(clientId, resourceId);
    return row < 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(maxExpiry(row)));
  }

  public boolean hasResource(UUID resourceId) {
    for (int row = 0; row < pairs.highWater(); row++) {
      if (pairs.isLive(row)
          && pairs.key(row, 2) == resourceId.getMostSignificantBits()
          && pairs.key(row, 3) == resourceId.getLeastSignificantBits()) {
        return true;
      }
    }
    return false;
  }

  public int pairCount() {
    return pairs.size();
  }

  public UUID gatewayId() {
    return gatewayId;
  }

  /** Changes dropped as duplicate or out of order. */
  public long droppedChanges() {
    return guard.dropped();
  }

  /** A canonical description: "client resource" → sorted "flow@expiryMs" list. */
  public Map<String, String> describe() {
    Map<String, String> out = new TreeMap<>();
    for (int row = 0; row < pairs.highWater(); row++) {
      if (pairs.isLive(row)) {
        List<String> fs = new ArrayList<>();
        long[] f = flows[row];
        for (int i = 0; f != null && i < f.length; i += 3) {
          fs.add(new UUID(f[i], f[i + 1]) + "@" + f[i + 2]);
        }
        fs.sort(null);
        out.put(
            new UUID(pairs.key(row, 0), pairs.key(row, 1))
                + " "
                + new UUID(pairs.key(row, 2), pairs.key(row, 3)),
            fs.toString());
      }
    }
    return out;
  }
}
