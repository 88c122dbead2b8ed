package dev.gatehouse.gateway.nat;

import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-client translation of proxy addresses (what the client sends to, from 100.96.0.0/11) to the
 * real addresses the gateway resolved their names to. Packets from a client to one of its proxy
 * addresses get the real destination ({@link #outbound}); replies from the real address get the
 * proxy address back as their source ({@link #inbound}). Replies are matched by connection (L4
 * protocol, both addresses and ports, or the ICMP echo identifier) first, so two names of one
 * client that resolve to the same address each get their own replies; a reply with no connection
 * falls back to the last mapping set for that real address.
 *
 * <p>Thread-safe: the mappings are replaced as a whole by {@link #set} (under the agent's lock) and
 * read without locks on the packet threads; the connection entries are a concurrent map, expired by
 * {@link #expire}. IPv4 only. Time is an input.
 */
public final class NatTable {

  /** A connection as the client sees it. */
  private record Connection(int protocol, long addresses, int ports) {}

  private static final class Entry {
    final int proxy;
    volatile long lastUsedNanos;

    Entry(int proxy, long now) {
      this.proxy = proxy;
      this.lastUsedNanos = now;
    }
  }

  private final Object writeLock = new Object();
  private volatile Map<Long, Integer> forward = Map.of(); // client<<32|proxy -> real
  private volatile Map<Long, Integer> reverse = Map.of(); // client<<32|real -> proxy
  private final Map<Integer, Map<Integer, Integer>> byClient = new HashMap<>();
  private final ConcurrentHashMap<Connection, Entry> connections = new ConcurrentHashMap<>();

  /** Replaces a client's mappings (proxy address → real address); an empty map removes them. */
  public void set(int client, Map<Integer, Integer> proxyToReal) {
    synchronized (writeLock) {
      if (proxyToReal.isEmpty()) {
        byClient.remove(client);
      } else {
        byClient.put(client, Map.copyOf(proxyToReal));
      }
      Map<Long, Integer> f = new HashMap<>();
      Map<Long, Integer> r = new HashMap<>();
      byClient.forEach(
          (c, m) ->
              m.forEach(
                  (proxy, real) -> {
                    f.put(key(c, proxy), real);
                    r.put(key(c, real), proxy);
                  }));
      forward = Map.copyOf(f);
      reverse = Map.copyOf(r);
      connections.entrySet().removeIf(e -> !stillMapped(e.getKey(), e.getValue(), f));
    }
  }

  private static boolean stillMapped(Connection c, Entry e, Map<Long, Integer> f) {
    int client = (int) (c.addresses >>> 32);
    Integer real = f.get(key(client, e.proxy));
    return real != null && real == (int) c.addresses;
  }

  /**
   * The real destination a client's packet will be sent to, or 0 when it is not to one of the
   * client's proxy addresses (0.0.0.0 is never a resolved address the table holds).
   */
  public int realDestination(byte[] p, int off, int len) {
    if (!Ipv4Rewrite.isIpv4(p, off, len)) {
      return 0;
    }
    Integer real =
        forward.get(
            key(
                Ipv4Rewrite.address(p, off, Ipv4Rewrite.SOURCE),
                Ipv4Rewrite.address(p, off, Ipv4Rewrite.DESTINATION)));
    return real == null ? 0 : real;
  }

  /** Client → resource: rewrites a proxy destination to the real one. Returns whether it did. */
  public boolean outbound(byte[] p, int off, int len, long nowNanos) {
    int real = realDestination(p, off, len);
    if (real == 0) {
      return false;
    }
    int client = Ipv4Rewrite.address(p, off, Ipv4Rewrite.SOURCE);
    int proxy = Ipv4Rewrite.address(p, off, Ipv4Rewrite.DESTINATION);
    Ipv4Rewrite.rewrite(p, off, len, Ipv4Rewrite.DESTINATION, real);
    int sport = Ipv4Rewrite.port(p, off, len, 0);
    int dport = Ipv4Rewrite.port(p, off, len, 2);
    if (sport >= 0) {
      Connection c =
          new Connection(
              Ipv4Rewrite.protocol(p, off), key(client, real), ports(sport, dport, p, off));
      Entry e = connections.get(c);
      if (e != null && e.proxy == proxy) {
        e.lastUsedNanos = nowNanos;
      } else {
        connections.put(c, new Entry(proxy, nowNanos));
      }
    }
    return true;
  }

  /**
   * Resource → client: rewrites a real source back to the proxy address. Returns whether it did.
   */
  public boolean inbound(byte[] p, int off, int len, long nowNanos) {
    if (!Ipv4Rewrite.isIpv4(p, off, len)) {
      return false;
    }
    int real = Ipv4Rewrite.address(p, off, Ipv4Rewrite.SOURCE);
    int client = Ipv4Rewrite.address(p, off, Ipv4Rewrite.DESTINATION);
    long k = key(client, real);
    Integer fallback = reverse.get(k);
    if (fallback == null) {
      return false; // not a translated address of this client: the fast path for everything else
    }
    int proxy = fallback;
    int sport = Ipv4Rewrite.port(p, off, len, 0);
    int dport = Ipv4Rewrite.port(p, off, len, 2);
    if (sport >= 0) {
      // The client's port is the reply's destination port.
      Entry e =
          connections.get(
              new Connection(Ipv4Rewrite.protocol(p, off), k, ports(dport, sport, p, off)));
      if (e != null) {
        e.lastUsedNanos = nowNanos;
        proxy = e.proxy;
      }
    }
    Ipv4Rewrite.rewrite(p, off, len, Ipv4Rewrite.SOURCE, proxy);
    return true;
  }

  /** ICMP echo: request and reply carry the same identifier, so one port stands for both. */
  private static int ports(int clientPort, int realPort, byte[] p, int off) {
    return Ipv4Rewrite.protocol(p, off) == 1 ? clientPort : (clientPort << 16) | realPort;
  }

  /** Forgets connections idle for longer than {@code idleNanos}; returns how many. */
  public int expire(long nowNanos, long idleNanos) {
    int before = connections.size();
    connections.values().removeIf(e -> nowNanos - e.lastUsedNanos > idleNanos);
    return before - connections.size();
  }

  /** Proxy-address mappings in force. */
  public int mappings() {
    return forward.size();
  }

  /** Tracked connections. */
  public int connections() {
    return connections.size();
  }

  private static long key(int client, int other) {
    return ((long) client << 32) | (other & 0xffffffffL);
  }
}
