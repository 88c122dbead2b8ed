package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.gateway.agent.AccessRule;
import dev.gatehouse.gateway.nat.NatTable;
import dev.gatehouse.tunnel.filter.PeerFilter;
import dev.gatehouse.tunnel.wireguard.InboundFilter;
import java.util.Comparator;
import java.util.List;

/**
 * One client's access at the gateway, as the tunnel's per-peer {@link InboundFilter}: a decrypted
 * packet passes when its destination lies in a resource the client was authorized for and that
 * resource's filters permit it (longest prefix wins). A packet to one of the client's proxy
 * addresses is judged by the rules of dns resources' names alone, on the real address it will be
 * translated to; any other packet by the rules of ip and cidr resources alone, so a name's grant
 * never opens its resolved address to packets sent there directly. The rules are swapped atomically
 * by {@link #set}, so access changes without re-adding the peer (no new handshake). Allocation-free
 * on the packet path.
 */
public final class ClientAccessFilter implements InboundFilter {

  private record Entry(byte[] network, int length, PeerFilter filter, boolean translatedOnly) {}

  private volatile Entry[] entries = new Entry[0];
  private final NatTable nat;

  public ClientAccessFilter(List<AccessRule> rules) {
    this(rules, null);
  }

  /**
   * @param nat when a packet goes to one of the client's proxy addresses, the rules are applied to
   *     the real address it will be translated to; null for no translation
   */
  public ClientAccessFilter(List<AccessRule> rules, NatTable nat) {
    this.nat = nat;
    set(rules);
  }

  /** Replaces the rules. */
  public void set(List<AccessRule> rules) {
    entries =
        rules.stream()
            .sorted(Comparator.comparingInt((AccessRule r) -> r.destination().length()).reversed())
            .map(
                r ->
                    new Entry(
                        r.destination().address().getAddress(),
                        r.destination().length(),
                        PeerFilter.of(r.rules()),
                        r.translatedOnly()))
            .toArray(Entry[]::new);
  }

  @Override
  public boolean permits(byte[] packet, int off, int len) {
    if (len < 1) {
      return false;
    }
    int version = (packet[off] >>> 4) & 0xf;
    int dst;
    int alen;
    if (version == 4 && len >= 20) {
      dst = off + 16;
      alen = 4;
    } else if (version == 6 && len >= 40) {
      dst = off + 24;
      alen = 16;
    } else {
      return false;
    }
    int real = nat == null || alen != 4 ? 0 : nat.realDestination(packet, off, len);
    if (real != 0) {
      byte[] address = {
        (byte) (real >>> 24), (byte) (real >>> 16), (byte) (real >>> 8), (byte) real
      };
      for (Entry e : entries) {
        if (e.translatedOnly
            && e.network.length == 4
            && contains(e.network, e.length, address, 0)) {
          return e.filter.permits(packet, off, len);
        }
      }
      return false;
    }
    for (Entry e : entries) {
      if (!e.translatedOnly
          && e.network.length == alen
          && contains(e.network, e.length, packet, dst)) {
        return e.filter.permits(packet, off, len);
      }
    }
    return false;
  }

  private static boolean contains(byte[] net, int bits, byte[] b, int off) {
    int full = bits >>> 3;
    for (int i = 0; i < full; i++) {
      if (net[i] != b[off + i]) {
        return false;
      }
    }
    int rest = bits & 7;
    if (rest == 0) {
      return true;
    }
    int mask = (0xff << (8 - rest)) & 0xff;
    return (net[full] & mask) == (b[off + full] & mask);
  }
}
