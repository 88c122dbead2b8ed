package dev.gatehouse.tunnel.wireguard;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Cryptokey routing table (§2): IPv4 and IPv6 prefixes mapped to a value (the peer), looked up by
 * longest prefix. A binary trie per address family; lookups read the address straight out of a
 * packet buffer and allocate nothing. Thread-safe (lookups and updates are synchronized).
 *
 * @param <T> what a prefix routes to
 */
public final class AllowedIps<T> {

  private static final class Node<T> {
    @SuppressWarnings("unchecked")
    final Node<T>[] child = new Node[2];

    T value;
    int prefixLength = -1;
  }

  private final Node<T> v4 = new Node<>();
  private final Node<T> v6 = new Node<>();

  /** A prefix and the value it routes to. */
  public record Route<T>(InetAddress address, int prefixLength, T value) {}

  /** Routes {@code address/prefixLength} to {@code value}, replacing an identical prefix. */
  public synchronized void insert(InetAddress address, int prefixLength, T value) {
    byte[] a = address.getAddress();
    if (prefixLength < 0 || prefixLength > a.length * 8) {
      throw new IllegalArgumentException("bad prefix length " + prefixLength);
    }
    Node<T> n = a.length == 4 ? v4 : v6;
    for (int i = 0; i < prefixLength; i++) {
      int bit = (a[i >>> 3] >>> (7 - (i & 7))) & 1;
      if (n.child[bit] == null) {
        n.child[bit] = new Node<>();
      }
      n = n.child[bit];
    }
    n.value = value;
    n.prefixLength = prefixLength;
  }

  /**
   * Makes {@code prefixes} the routes of {@code value}, atomically: a lookup sees either the old
   * routes or the new ones, never neither.
   */
  public synchronized void replaceAll(T value, List<IpPrefix> prefixes) {
    removeAll(value);
    for (IpPrefix p : prefixes) {
      insert(p.address(), p.length(), value);
    }
  }

  /** Removes every prefix that routes to {@code value}. */
  public synchronized void removeAll(T value) {
    removeAll(v4, value);
    removeAll(v6, value);
  }

  private void removeAll(Node<T> n, T value) {
    if (n == null) {
      return;
    }
    if (n.value != null && n.value.equals(value)) {
      n.value = null;
      n.prefixLength = -1;
    }
    removeAll(n.child[0], value);
    removeAll(n.child[1], value);
  }

  /**
   * Longest-prefix match of the address {@code buf[off, off+len)}, {@code len} 4 or 16; null if
   * nothing matches or {@code len} is neither.
   */
  public synchronized T lookup(byte[] buf, int off, int len) {
    Node<T> n;
    if (len == 4) {
      n = v4;
    } else if (len == 16) {
      n = v6;
    } else {
      return null;
    }
    T best = n.value;
    int bits = len * 8;
    for (int i = 0; i < bits; i++) {
      int bit = (buf[off + (i >>> 3)] >>> (7 - (i & 7))) & 1;
      n = n.child[bit];
      if (n == null) {
        break;
      }
      if (n.value != null) {
        best = n.value;
      }
    }
    return best;
  }

  /** Longest-prefix match of an address. */
  public T lookup(InetAddress address) {
    byte[] a = address.getAddress();
    return lookup(a, 0, a.length);
  }

  /** All routes to {@code value}. */
  public synchronized List<Route<T>> routesOf(T value) {
    List<Route<T>> out = new ArrayList<>();
    collect(v4, new byte[4], 0, value, out);
    collect(v6, new byte[16], 0, value, out);
    return out;
  }

  private void collect(Node<T> n, byte[] prefix, int depth, T value, List<Route<T>> out) {
    if (n == null) {
      return;
    }
    if (n.value != null && n.value.equals(value)) {
      try {
        out.add(new Route<>(InetAddress.getByAddress(prefix.clone()), depth, value));
      } catch (java.net.UnknownHostException e) {
        throw new IllegalStateException(e);
      }
    }
    for (int bit = 0; bit < 2; bit++) {
      if (n.child[bit] != null) {
        byte[] p = prefix.clone();
        if (bit == 1) {
          p[depth >>> 3] |= (byte) (1 << (7 - (depth & 7)));
        }
        collect(n.child[bit], p, depth + 1, value, out);
      }
    }
  }
}
