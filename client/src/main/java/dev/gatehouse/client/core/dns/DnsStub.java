package dev.gatehouse.client.core.dns;

import dev.gatehouse.protocol.DomainPattern;
import dev.gatehouse.tunnel.packet.Checksums;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The client's stub resolver, reached through the TUN interface at {@link #SENTINEL} port 53. A
 * query for a name under a DNS resource is answered here: A with the name's proxy address (from
 * {@link ProxyIps}, TTL {@value #TTL_SECONDS} s), anything else (AAAA included) with NOERROR and no
 * answers. Other names are forwarded to the upstream resolver when there is one, and refused
 * otherwise. Packets that are not well-formed IPv4/UDP DNS queries are dropped and counted.
 *
 * <p>Pure: packets in, {@link Outcome}s out; the shell does the forwarding. Not thread-safe (the
 * agent's lock).
 */
public final class DnsStub {

  /** The stub's address: the route to it goes into the TUN interface. */
  public static final byte[] SENTINEL = {100, 100, 111, 1};

  public static final int PORT = 53;

  /** Short, so that a resource that goes away stops being answered soon. */
  public static final int TTL_SECONDS = 30;

  /** What became of one packet to the stub. */
  public sealed interface Outcome {
    /**
     * Write this IPv4/UDP answer into the TUN interface. When the name is a resource's, {@code
     * resourceId}, {@code name} and {@code proxyIp} say which (the agent routes the proxy address);
     * otherwise they are null.
     */
    record Answer(byte[] packet, UUID resourceId, String name, byte[] proxyIp) implements Outcome {}

    /** Send {@code query} (a DNS message) to the upstream resolver and relay its answer. */
    record Forward(byte[] query, ReplyTo replyTo) implements Outcome {}

    /** Not a query the stub answers. */
    record Dropped(String reason) implements Outcome {}
  }

  /** Where the answer to a forwarded query goes: back to the asker's address and port. */
  public record ReplyTo(byte[] address, int port) {
    public ReplyTo {
      address = address.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ReplyTo r && r.port == port && Arrays.equals(r.address, address);
    }

    @Override
    public int hashCode() {
      return Arrays.hashCode(address) * 31 + port;
    }
  }

  /** Counters for the status. */
  public record Counters(long answered, long forwarded, long refused, long dropped) {}

  private final ProxyIps proxyIps;
  private final Map<UUID, String> patterns = new LinkedHashMap<>();
  private final boolean upstream;
  private long answered;
  private long forwarded;
  private long refused;
  private long dropped;

  public DnsStub(ProxyIps proxyIps, boolean upstream) {
    this.proxyIps = proxyIps;
    this.upstream = upstream;
  }

  /** Sets (or removes, with null) the address pattern of a DNS resource. */
  public void resource(UUID resourceId, String pattern) {
    if (pattern == null) {
      patterns.remove(resourceId);
    } else {
      patterns.put(resourceId, DomainPattern.normalize(pattern));
    }
  }

  public boolean hasResources() {
    return !patterns.isEmpty();
  }

  /** Whether {@code b[off, off+len)} is an IPv4 packet to the stub's address (any protocol). */
  public static boolean isForStub(byte[] b, int off, int len) {
    return len >= 20
        && ((b[off] >>> 4) & 0xf) == 4
        && Arrays.equals(b, off + 16, off + 20, SENTINEL, 0, 4);
  }

  /** One packet that {@link #isForStub}. Never throws. */
  public Outcome onPacket(byte[] b, int off, int len) {
    int payload = UdpPackets.payloadOffset(b, off, len);
    if (payload < 0) {
      return drop("not IPv4/UDP");
    }
    int ihl = (b[off] & 0x0f) * 4;
    if (Checksums.word(b, off + ihl + 2) != PORT) {
      return drop("not port 53");
    }
    int n = UdpPackets.payloadLength(b, off);
    DnsMessage.Query q = DnsMessage.parseQuery(b, payload, n);
    if (q == null) {
      return drop("not a DNS query");
    }
    ReplyTo to =
        new ReplyTo(Arrays.copyOfRange(b, off + 12, off + 16), Checksums.word(b, off + ihl));
    UUID resource = q.name() == null ? null : resourceOf(q.name());
    if (resource != null && q.qclass() == DnsMessage.CLASS_IN) {
      byte[] ip = proxyIps.assign(q.name());
      if (ip == null) {
        return answer(to, q, DnsMessage.RCODE_SERVFAIL, List.of(), null, null, null);
      }
      if (q.type() == DnsMessage.TYPE_A) {
        return answer(to, q, DnsMessage.RCODE_NOERROR, List.of(ip), resource, q.name(), ip);
      }
      // AAAA and every other type: the name exists, with no records of that type (no IPv6 proxy
      // addresses yet), so resolvers fall back to A.
      return answer(to, q, DnsMessage.RCODE_NOERROR, List.of(), resource, q.name(), ip);
    }
    if (!upstream) {
      refused++;
      return answer(to, q, DnsMessage.RCODE_REFUSED, List.of(), null, null, null);
    }
    forwarded++;
    return new Outcome.Forward(Arrays.copyOfRange(b, payload, payload + n), to);
  }

  /**
   * The upstream resolver's answer to a forwarded query, framed for the asker; null (dropped and
   * counted) when it is not a DNS response.
   */
  public byte[] upstreamAnswer(ReplyTo to, byte[] payload, int off, int n) {
    if (!DnsMessage.isResponse(payload, off, n) || n > 65_535 - 28) {
      dropped++;
      return null;
    }
    return UdpPackets.build(SENTINEL, PORT, to.address(), to.port(), payload, off, n);
  }

  private Outcome answer(
      ReplyTo to,
      DnsMessage.Query q,
      int rcode,
      List<byte[]> ips,
      UUID resource,
      String name,
      byte[] ip) {
    if (rcode != DnsMessage.RCODE_REFUSED) {
      answered++;
    }
    byte[] dns = DnsMessage.respond(q, rcode, ips, TTL_SECONDS);
    byte[] packet = UdpPackets.build(SENTINEL, PORT, to.address(), to.port(), dns, 0, dns.length);
    return new Outcome.Answer(packet, resource, name, ip);
  }

  private Outcome drop(String reason) {
    dropped++;
    return new Outcome.Dropped(reason);
  }

  /**
   * The resource whose pattern covers the name, the most specific first: an exact name, then the
   * longest wildcard base.
   */
  UUID resourceOf(String name) {
    UUID best = null;
    int bestScore = -1;
    for (Map.Entry<UUID, String> e : patterns.entrySet()) {
      String p = e.getValue();
      if (DomainPattern.matches(p, name)) {
        int score = DomainPattern.isWildcard(p) ? p.length() : 1_000;
        if (score > bestScore) {
          best = e.getKey();
          bestScore = score;
        }
      }
    }
    return best;
  }

  /** The name behind a proxy address at {@code b[off, off+4)}, or null. */
  public String nameOf(byte[] b, int off) {
    return proxyIps.nameOf(b, off);
  }

  public Counters counters() {
    return new Counters(answered, forwarded, refused, dropped);
  }
}
