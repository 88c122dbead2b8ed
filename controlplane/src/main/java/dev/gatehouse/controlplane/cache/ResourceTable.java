package dev.gatehouse.controlplane.cache;

import dev.gatehouse.controlplane.cdc.Row;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

/**
 * The resources of one {@link ClientCache}, as column arrays indexed by a stable row: state, kind,
 * address (in a {@link TextArena}), filters and site set (pooled in {@link SharedValues}), how many
 * cached policies point at the row, and whether the client has been told it may connect. A row is
 * added "pending" when a policy refers to a resource not loaded yet. Not thread-safe.
 */
final class ResourceTable {

  static final byte PENDING = 0; // referenced by a policy, row not loaded yet
  static final byte LIVE = 1;
  static final byte DELETED = 2; // soft-deleted; policies kept for an undelete

  private final LongKeyTable keys;
  private final TextArena addresses;
  private byte[] state;
  private byte[] kind; // type ordinal | ip stack ordinal << 4
  private int[] address; // offset in addresses, TextArena.NONE for internet resources
  private long[][] filters;
  private long[][] sites; // 2 longs per site
  private int[] policies; // how many cached policies point here
  private long[] connectable; // bit per row: what the client has been told

  ResourceTable(int expected) {
    keys = new LongKeyTable(2, expected);
    addresses = new TextArena(expected * 24);
    int c = keys.rowCapacity();
    state = new byte[c];
    kind = new byte[c];
    address = new int[c];
    filters = new long[c][];
    sites = new long[c][];
    policies = new int[c];
    connectable = new long[(c + 63) >>> 6];
  }

  int find(UUID id) {
    return keys.find(id.getMostSignificantBits(), id.getLeastSignificantBits());
  }

  /** The row of a resource, adding a pending one if absent. */
  int rowFor(UUID id) {
    int existing = find(id);
    if (existing >= 0) {
      return existing;
    }
    int row = keys.add(id.getMostSignificantBits(), id.getLeastSignificantBits());
    int c = keys.rowCapacity();
    if (state.length < c) {
      state = Arrays.copyOf(state, c);
      kind = Arrays.copyOf(kind, c);
      address = Arrays.copyOf(address, c);
      filters = Arrays.copyOf(filters, c);
      sites = Arrays.copyOf(sites, c);
      policies = Arrays.copyOf(policies, c);
      connectable = Arrays.copyOf(connectable, (c + 63) >>> 6);
    }
    state[row] = PENDING;
    address[row] = TextArena.NONE;
    return row;
  }

  boolean isLive(int row) {
    return keys.isLive(row);
  }

  int highWater() {
    return keys.highWater();
  }

  int size() {
    return keys.size();
  }

  UUID id(int row) {
    return new UUID(keys.key(row, 0), keys.key(row, 1));
  }

  byte state(int row) {
    return state[row];
  }

  void markDeleted(int row) {
    state[row] = DELETED;
  }

  /** Stores a resource row's fields (not its sites). */
  void write(int row, Row.Resource r) {
    state[row] = stateOf(r);
    kind[row] = kindOf(r);
    filters[row] = filtersOf(r);
    if (!addresses.matches(address[row], r.address())) {
      addresses.remove(address[row]);
      address[row] = addresses.add(r.address());
      if (addresses.needsCompaction()) {
        for (int i = 0; i < keys.highWater(); i++) {
          if (!keys.isLive(i)) {
            address[i] = TextArena.NONE;
          }
        }
        addresses.compact(address, keys.highWater());
      }
    }
  }

  /** Whether the row already holds exactly what {@code r} says (nothing to push). */
  boolean same(int row, Row.Resource r) {
    return state[row] == stateOf(r)
        && kind[row] == kindOf(r)
        && Arrays.equals(filters[row], filtersOf(r))
        && addresses.matches(address[row], r.address());
  }

  private static byte stateOf(Row.Resource r) {
    return r.live() ? LIVE : DELETED;
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

  void remove(int row) {
    setConnectable(row, false);
    addresses.remove(address[row]);
    address[row] = TextArena.NONE;
    filters[row] = null;
    sites[row] = null;
    policies[row] = 0;
    state[row] = PENDING;
    keys.remove(row);
  }

  void trim() {
    addresses.trim();
  }

  // Sites ---------------------------------------------------------------------------------------

  boolean addSite(int row, UUID site) {
    long hi = site.getMostSignificantBits();
    long lo = site.getLeastSignificantBits();
    long[] current = sites[row];
    if (current != null) {
      for (int i = 0; i < current.length; i += 2) {
        if (current[i] == hi && current[i + 1] == lo) {
          return false;
        }
      }
    }
    long[] next = current == null ? new long[2] : Arrays.copyOf(current, current.length + 2);
    next[next.length - 2] = hi;
    next[next.length - 1] = lo;
    sites[row] = SharedValues.array(next);
    return true;
  }

  boolean removeSite(int row, UUID site) {
    long[] current = sites[row];
    if (current == null) {
      return false;
    }
    for (int i = 0; i < current.length; i += 2) {
      if (current[i] == site.getMostSignificantBits()
          && current[i + 1] == site.getLeastSignificantBits()) {
        if (current.length == 2) {
          sites[row] = null;
        } else {
          long[] next = new long[current.length - 2];
          System.arraycopy(current, 0, next, 0, i);
          System.arraycopy(current, i + 2, next, i, current.length - i - 2);
          sites[row] = SharedValues.array(next);
        }
        return true;
      }
    }
    return false;
  }

  void clearSites(int row) {
    sites[row] = null;
  }

  boolean hasSites(int row) {
    return sites[row] != null;
  }

  /** The site ids, sorted (a set reported in a stable order). */
  List<UUID> sites(int row) {
    long[] current = sites[row];
    if (current == null) {
      return List.of();
    }
    List<UUID> out = new ArrayList<>(current.length / 2);
    for (int i = 0; i < current.length; i += 2) {
      out.add(new UUID(current[i], current[i + 1]));
    }
    out.sort(null);
    return out;
  }

  // Policies and the connectable bit ------------------------------------------------------------

  int policies(int row) {
    return policies[row];
  }

  void addPolicy(int row) {
    policies[row]++;
  }

  void removePolicy(int row) {
    policies[row]--;
  }

  boolean connectable(int row) {
    return (connectable[row >>> 6] & (1L << row)) != 0;
  }

  void setConnectable(int row, boolean on) {
    if (on) {
      connectable[row >>> 6] |= 1L << row;
    } else {
      connectable[row >>> 6] &= ~(1L << row);
    }
  }

  // Rendering -----------------------------------------------------------------------------------

  /** The address as a client of {@code version} sees it, or null if it cannot use the resource. */
  String adaptedAddress(int row, Version version) {
    ResourceType type = ResourceType.values()[kind[row] & 0xf];
    return VersionCompatibility.adaptAddress(type, addresses.get(address[row]), version, true);
  }

  /**
   * Whether the resource may be offered at all: loaded, not deleted, served, version-compatible.
   */
  boolean eligible(int row, Version version) {
    return state[row] == LIVE && sites[row] != null && adaptedAddress(row, version) != null;
  }

  ResourceView view(int row, Version version) {
    String adapted = adaptedAddress(row, version);
    if (adapted == null) {
      return null;
    }
    return new ResourceView(
        id(row),
        ResourceType.values()[kind[row] & 0xf],
        adapted,
        IpStack.values()[kind[row] >> 4],
        Filters.unpack(filters[row]),
        sites(row));
  }

  String describe(int row) {
    return "state="
        + state[row]
        + " kind="
        + kind[row]
        + " address="
        + addresses.get(address[row])
        + " filters="
        + Arrays.toString(filters[row])
        + " sites="
        + sites(row)
        + " policies="
        + policies[row]
        + " connectable="
        + connectable(row);
  }
}
