package dev.gatehouse.apinode.core;

import dev.gatehouse.controlplane.cache.ResourceView;
import dev.gatehouse.protocol.Filter;
import dev.gatehouse.protocol.ResourceDescription;
import java.time.Instant;

/** Conversions from the caches' views to protocol records. */
public final class Views {

  private Views() {}

  public static ResourceDescription describe(ResourceView r) {
    return new ResourceDescription(
        r.id(),
        r.type().sqlName(),
        r.address(),
        r.ipStack().sqlName(),
        r.filters().stream()
            .map(f -> new Filter(f.protocol(), f.portStart(), f.portEnd()))
            .toList(),
        r.siteIds());
  }

  /** Unix seconds on the wire; null (no end) is 0. */
  public static long unixSeconds(Instant t) {
    return t == null ? 0 : t.getEpochSecond();
  }
}
