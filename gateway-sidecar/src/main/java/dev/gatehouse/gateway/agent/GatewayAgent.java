package dev.gatehouse.gateway.agent;

import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.DomainPattern;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.RelaysPresence;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The gateway's pure core: {@code authorize_flow} adds the client as a peer (allowed IPs = its
 * tunnel addresses) with access to the resource (its address and filters) until the flow's expiry,
 * and answers {@code flow_authorized}; {@code reject_access} and expiry take that access away (the
 * peer goes when nothing is left); {@code resource_updated} changes filters; {@code
 * access_authorization_expiry_updated} moves the expiry; {@code init} re-syncs after a reconnect
 * (access the API no longer lists is removed).
 *
 * <p>Pure: time comes in as Unix seconds (the protocol's unit for expiries); commands come out. Not
 * thread-safe: the shell calls it under one lock.
 */
public final class GatewayAgent {

  private static final class Client {
    final UUID id;
    final byte[] publicKey;
    final byte[] presharedKey;
    final List<IpPrefix> addresses;
    final Map<UUID, Long> grants = new LinkedHashMap<>(); // resource -> expiresAt (0 = none)
    final Map<String, DnsName> names = new LinkedHashMap<>(); // names of dns resources

    Client(UUID id, byte[] publicKey, byte[] presharedKey, List<IpPrefix> addresses) {
      this.id = id;
      this.publicKey = publicKey;
      this.presharedKey = presharedKey;
      this.addresses = addresses;
    }

    boolean samePeer(Client o) {
      return Arrays.equals(publicKey, o.publicKey)
          && Arrays.equals(presharedKey, o.presharedKey)
          && addresses.equals(o.addresses);
    }
  }

  /** A name of a dns resource a client was authorized for, resolved here at {@code resolvedAt}. */
  private record DnsName(
      UUID resourceId, List<InetAddress> proxies, InetAddress real, long resolvedAt) {
    DnsName resolvedAgain(InetAddress address, long now) {
      return new DnsName(resourceId, proxies, address, now);
    }
  }

  /** How often names in use are resolved again by default: a usual cluster DNS TTL. */
  public static final long DEFAULT_DNS_REFRESH_SECONDS = 30;

  /** Refs of the {@link GatewayCommand.Resolve} commands that re-resolve a name in use. */
  static final String REFRESH_REF = "dns-refresh:";

  private final long dnsRefreshSeconds;
  private final Set<String> refreshing = new HashSet<>();
  private InterfaceAddresses iface;
  private List<Relay> relays = List.of();
  private final Map<String, GatewayOutbound.AuthorizeFlow> resolving = new HashMap<>();
  private GatewayOutbound.Config config;
  private final Map<UUID, Client> clients = new LinkedHashMap<>();
  private final Map<UUID, ResourceDescription> resources = new HashMap<>();

  public GatewayAgent() {
    this(DEFAULT_DNS_REFRESH_SECONDS);
  }

  /**
   * @param dnsRefreshSeconds how often the names of dns resources in use are resolved again; a
   *     translation changes only when its address is no longer in the answer
   */
  public GatewayAgent(long dnsRefreshSeconds) {
    if (dnsRefreshSeconds < 1) {
      throw new IllegalArgumentException("dnsRefreshSeconds must be at least 1");
    }
    this.dnsRefreshSeconds = dnsRefreshSeconds;
  }

  /** One message from the API node; {@code nowSeconds} is the Unix time. */
  public List<GatewayCommand> onMessage(Envelope<GatewayOutbound> envelope, long nowSeconds) {
    List<GatewayCommand> out = new ArrayList<>();
    switch (envelope.payload()) {
      case GatewayOutbound.Init init -> init(init, nowSeconds, out);
      case GatewayOutbound.AuthorizeFlow a -> authorize(a, nowSeconds, out);
      case GatewayOutbound.RejectAccess r ->
          revoke(r.clientId(), r.resourceId(), "reject_access", out);
      case GatewayOutbound.ResourceUpdated u -> resourceUpdated(u.resource(), out);
      case GatewayOutbound.AccessAuthorizationExpiryUpdated e -> {
        Client c = clients.get(e.clientId());
        if (c == null || !c.grants.containsKey(e.resourceId())) {
          out.add(
              new GatewayCommand.Report(
                  "expiry_ignored", "no access of " + e.clientId() + " to " + e.resourceId()));
        } else if (expired(e.expiresAt(), nowSeconds)) {
          revoke(e.clientId(), e.resourceId(), "expiry moved into the past", out);
        } else {
          c.grants.put(e.resourceId(), e.expiresAt());
        }
      }
      case GatewayOutbound.IceCandidates c ->
          out.add(new GatewayCommand.ClientCandidates(c.clientId(), c.candidates()));
      case ErrorReply e ->
          out.add(new GatewayCommand.Report("api_error", e.reason() + ": " + e.detail()));
      case Disconnect d ->
          out.add(
              new GatewayCommand.Report(
                  "api_disconnect", d.reason() + (d.reconnect() ? " (will reconnect)" : "")));
      case RelaysPresence p -> {
        if (!p.connected().equals(relays)) {
          relays = p.connected(); // the whole list, with fresh credentials
          out.add(new GatewayCommand.UseRelays(relays));
        }
      }
    }
    return out;
  }

  private void init(GatewayOutbound.Init init, long now, List<GatewayCommand> out) {
    if (!init.relays().equals(relays)) {
      relays = init.relays();
      out.add(new GatewayCommand.UseRelays(relays));
    }
    if (!init.interfaceAddresses().equals(iface) || !init.config().equals(config)) {
      iface = init.interfaceAddresses();
      config = init.config();
      out.add(
          new GatewayCommand.ConfigureInterface(
              hostPrefix(iface.ipv4()),
              hostPrefix(iface.ipv6()),
              config.ipv4MasqueradeEnabled(),
              config.ipv6MasqueradeEnabled()));
    }
    Map<List<UUID>, Long> listed = new HashMap<>();
    for (GatewayOutbound.Authorization a : init.authorizations()) {
      listed.put(List.of(a.clientId(), a.resourceId()), a.expiresAt());
    }
    int removed = 0;
    for (Client c : List.copyOf(clients.values())) {
      for (UUID r : List.copyOf(c.grants.keySet())) {
        Long expiry = listed.get(List.of(c.id, r));
        if (expiry == null || expired(expiry, now)) {
          revoke(c.id, r, "not in init", out);
          removed++;
        } else {
          c.grants.put(r, expiry);
        }
      }
    }
    out.add(
        new GatewayCommand.Report(
            "init",
            "addresses "
                + iface
                + ", "
                + init.authorizations().size()
                + " authorizations listed, "
                + removed
                + " stale accesses removed, "
                + flowCount()
                + " kept"));
  }

  private void authorize(GatewayOutbound.AuthorizeFlow a, long now, List<GatewayCommand> out) {
    ResourceDescription resource = a.resource();
    if (isDns(resource)) {
      String problem = domainProblem(resource, a.domain());
      if (problem != null) {
        fail(a.ref(), "invalid_domain", problem, out);
        return;
      }
      if (refusedAsExpired(a, now, out)) {
        return;
      }
      resolving.put(a.ref(), a);
      out.add(new GatewayCommand.Resolve(a.ref(), a.domain().name()));
      return;
    }
    install(a, null, now, out);
  }

  /**
   * The gateway's resolver answered for the {@code authorize_flow} with {@code ref}: {@code
   * addresses} (the first IPv4 one is used), or {@code error} when it failed. Installs the flow
   * with the name's translation, or answers {@code flow_authorization_failed}.
   */
  public List<GatewayCommand> onResolved(
      String ref, List<InetAddress> addresses, String error, long nowSeconds) {
    List<GatewayCommand> out = new ArrayList<>();
    if (ref.startsWith(REFRESH_REF)) {
      refreshed(ref.substring(REFRESH_REF.length()), addresses, error, nowSeconds, out);
      return out;
    }
    GatewayOutbound.AuthorizeFlow a = resolving.remove(ref);
    if (a == null) {
      return out;
    }
    String name = a.domain().name();
    InetAddress real = firstIpv4(addresses);
    if (error != null || real == null) {
      String why = error != null ? error : "no IPv4 address (" + addresses + ")";
      fail(ref, ClientOutbound.FlowCreationFailed.UNRESOLVABLE, name + ": " + why, out);
      return out;
    }
    List<InetAddress> proxies = new ArrayList<>();
    for (String p : a.domain().proxyIps()) {
      proxies.add(IpPrefix.parse(p).address());
    }
    install(
        a, new DnsName(a.resource().id(), List.copyOf(proxies), real, nowSeconds), nowSeconds, out);
    return out;
  }

  private static InetAddress firstIpv4(List<InetAddress> addresses) {
    for (InetAddress address : addresses == null ? List.<InetAddress>of() : addresses) {
      if (address instanceof java.net.Inet4Address) {
        return address;
      }
    }
    return null;
  }

  /**
   * A name in use was resolved again. A client's translation moves only when its address is no
   * longer in the answer (the server it pointed at is gone, e.g. a restarted pod behind a headless
   * Service); while it is still listed, connections through it keep working untouched. A failed
   * lookup changes nothing and is tried again at the next refresh.
   */
  private void refreshed(
      String name, List<InetAddress> addresses, String error, long now, List<GatewayCommand> out) {
    refreshing.remove(name);
    InetAddress first = firstIpv4(addresses);
    for (Client c : clients.values()) {
      DnsName n = c.names.get(name);
      if (n == null) {
        continue;
      }
      if (error != null || first == null) {
        c.names.put(name, n.resolvedAgain(n.real(), now));
        continue;
      }
      if (addresses.contains(n.real())) {
        c.names.put(name, n.resolvedAgain(n.real(), now));
        continue;
      }
      c.names.put(name, n.resolvedAgain(first, now));
      out.add(new GatewayCommand.SetClientAccess(c.id, access(c)));
      out.add(nat(c));
      out.add(
          new GatewayCommand.Report(
              "dns_changed", "client " + c.id + " name " + name + " " + n.real() + " -> " + first));
    }
    if (error != null || first == null) {
      out.add(
          new GatewayCommand.Report(
              "dns_refresh_failed",
              name + ": " + (error != null ? error : "no IPv4 address") + "; kept as it was"));
    }
  }

  private static boolean refusedAsExpired(
      GatewayOutbound.AuthorizeFlow a, long now, List<GatewayCommand> out) {
    if (!expired(a.expiresAt(), now)) {
      return false;
    }
    out.add(
        new GatewayCommand.Report(
            "authorize_refused", "flow " + a.flowId() + " expired at " + a.expiresAt()));
    return true;
  }

  private static void fail(String ref, String reason, String detail, List<GatewayCommand> out) {
    out.add(
        new GatewayCommand.Reply(
            Envelope.of(null, new GatewayInbound.FlowAuthorizationFailed(ref, reason, detail))));
    out.add(new GatewayCommand.Report("authorize_failed", reason + ": " + detail));
  }

  /** Why a dns resource's {@code authorize_flow} cannot be served, or null. */
  static String domainProblem(ResourceDescription resource, ProxiedDomain domain) {
    if (domain == null) {
      return "authorize_flow for dns resource " + resource.id() + " without a domain";
    }
    if (!DomainPattern.matches(resource.address(), domain.name())) {
      return domain.name() + " is not under " + resource.address();
    }
    for (String p : domain.proxyIps()) {
      try {
        byte[] b = IpPrefix.parse(p).address().getAddress();
        if (b.length != 4 || b[0] != 100 || (b[1] & 0xe0) != 96) {
          return "proxy address " + p + " is not in " + PROXY_RANGE;
        }
      } catch (IllegalArgumentException e) {
        return "proxy address " + p + " is not an IP address";
      }
    }
    return null;
  }

  /** Proxy addresses of DNS resources (DESIGN.md, "Addresses"). */
  static final String PROXY_RANGE = "100.96.0.0/11";

  private void install(
      GatewayOutbound.AuthorizeFlow a, DnsName dnsName, long now, List<GatewayCommand> out) {
    ResourceDescription resource = a.resource();
    if (dnsName == null && prefixOf(resource) == null) {
      out.add(
          new GatewayCommand.Report(
              "authorize_refused",
              "resource "
                  + resource.id()
                  + " of type "
                  + resource.type()
                  + " address '"
                  + resource.address()
                  + "' is not supported; no flow_authorized sent"));
      return;
    }
    if (refusedAsExpired(a, now, out)) {
      return;
    }
    Client incoming;
    try {
      List<IpPrefix> addresses = new ArrayList<>();
      if (a.client().ipv4() != null) {
        addresses.add(hostPrefix(a.client().ipv4()));
      }
      if (a.client().ipv6() != null) {
        addresses.add(hostPrefix(a.client().ipv6()));
      }
      if (addresses.isEmpty()) {
        throw new IllegalArgumentException("client has no tunnel address");
      }
      incoming =
          new Client(
              a.client().id(),
              StaticIdentity.decodeKey(a.client().publicKey()),
              StaticIdentity.decodeKey(a.client().presharedKey()),
              List.copyOf(addresses));
    } catch (IllegalArgumentException e) {
      out.add(
          new GatewayCommand.Report(
              "authorize_refused", "client " + a.client().id() + ": " + e.getMessage()));
      return;
    }
    resources.put(resource.id(), resource);
    Client existing = clients.get(incoming.id);
    boolean replace = existing == null || !existing.samePeer(incoming);
    Client c = incoming;
    if (existing != null) {
      c.grants.putAll(existing.grants);
      c.names.putAll(existing.names);
    }
    c.grants.merge(resource.id(), a.expiresAt(), GatewayAgent::later);
    if (dnsName != null) {
      c.names.put(a.domain().name(), dnsName);
    }
    clients.put(c.id, c);
    if (replace) {
      out.add(
          new GatewayCommand.UpsertClientPeer(
              c.id, c.publicKey.clone(), c.presharedKey.clone(), c.addresses, access(c)));
    } else {
      out.add(new GatewayCommand.SetClientAccess(c.id, access(c)));
    }
    if (!c.names.isEmpty()) {
      out.add(nat(c));
    }
    out.add(
        new GatewayCommand.Reply(Envelope.of(null, new GatewayInbound.FlowAuthorized(a.ref()))));
    out.add(
        new GatewayCommand.Report(
            "flow_authorized",
            "client "
                + c.id
                + " -> resource "
                + resource.id()
                + (dnsName == null
                    ? ""
                    : " name "
                        + a.domain().name()
                        + " "
                        + dnsName.proxies()
                        + " -> "
                        + dnsName.real())
                + " until "
                + a.expiresAt()));
  }

  private GatewayCommand.SetClientNat nat(Client c) {
    List<GatewayCommand.NatMapping> mappings = new ArrayList<>();
    for (DnsName n : c.names.values()) {
      for (InetAddress proxy : n.proxies()) {
        mappings.add(new GatewayCommand.NatMapping(proxy, n.real()));
      }
    }
    IpPrefix v4 = null;
    for (IpPrefix p : c.addresses) {
      if (p.address() instanceof java.net.Inet4Address) {
        v4 = p;
      }
    }
    return new GatewayCommand.SetClientNat(c.id, v4, List.copyOf(mappings));
  }

  /** Translations in force: proxy addresses of names clients were authorized for. */
  public int natMappings() {
    int n = 0;
    for (Client c : clients.values()) {
      for (DnsName d : c.names.values()) {
        n += d.proxies().size();
      }
    }
    return n;
  }

  private void revoke(UUID clientId, UUID resourceId, String why, List<GatewayCommand> out) {
    Client c = clients.get(clientId);
    if (c == null || c.grants.remove(resourceId) == null) {
      out.add(
          new GatewayCommand.Report("revoke_ignored", clientId + "/" + resourceId + ": " + why));
      return;
    }
    boolean hadNames = c.names.values().removeIf(n -> n.resourceId().equals(resourceId));
    if (c.grants.isEmpty()) {
      clients.remove(clientId);
      out.add(new GatewayCommand.RemoveClientPeer(clientId, c.publicKey.clone()));
    } else {
      out.add(new GatewayCommand.SetClientAccess(clientId, access(c)));
      if (hadNames) {
        out.add(nat(c));
      }
    }
    out.add(
        new GatewayCommand.Report(
            "access_removed", "client " + clientId + " -> resource " + resourceId + ": " + why));
    pruneResources();
  }

  private void resourceUpdated(ResourceDescription r, List<GatewayCommand> out) {
    ResourceDescription old = resources.get(r.id());
    if (old == null) {
      return; // no client uses it here
    }
    resources.put(r.id(), r);
    boolean dnsMoved = isDns(old) && (!isDns(r) || !old.address().equals(r.address()));
    if (dnsMoved || !isDns(r) && prefixOf(r) == null) {
      for (Client c : List.copyOf(clients.values())) {
        if (c.grants.containsKey(r.id())) {
          revoke(
              c.id, r.id(), dnsMoved ? "dns address changed" : "resource no longer routable", out);
        }
      }
      return;
    }
    for (Client c : clients.values()) {
      if (c.grants.containsKey(r.id())) {
        out.add(new GatewayCommand.SetClientAccess(c.id, access(c)));
      }
    }
  }

  /**
   * Removes accesses whose expiry has passed, and asks to resolve again the names in use whose last
   * answer is {@code dnsRefreshSeconds} old (one lookup per name, whatever the clients).
   */
  public List<GatewayCommand> tick(long nowSeconds) {
    List<GatewayCommand> out = new ArrayList<>();
    for (Client c : List.copyOf(clients.values())) {
      for (Map.Entry<UUID, Long> g : List.copyOf(c.grants.entrySet())) {
        if (expired(g.getValue(), nowSeconds)) {
          revoke(c.id, g.getKey(), "authorization expired", out);
        }
      }
    }
    for (Client c : clients.values()) {
      for (Map.Entry<String, DnsName> n : c.names.entrySet()) {
        if (nowSeconds - n.getValue().resolvedAt() >= dnsRefreshSeconds
            && refreshing.add(n.getKey())) {
          out.add(new GatewayCommand.Resolve(REFRESH_REF + n.getKey(), n.getKey()));
        }
      }
    }
    return out;
  }

  private List<AccessRule> access(Client c) {
    List<AccessRule> rules = new ArrayList<>();
    for (UUID r : c.grants.keySet()) {
      ResourceDescription d = resources.get(r);
      IpPrefix p = d == null ? null : prefixOf(d);
      if (p != null) {
        rules.add(new AccessRule(r, p, AccessRule.rulesOf(d.filters())));
      }
    }
    // Names of dns resources: their filters apply to the real address the proxy one stands for,
    // for packets sent to the proxy address only.
    for (DnsName n : c.names.values()) {
      ResourceDescription d = resources.get(n.resourceId());
      if (d != null) {
        rules.add(
            new AccessRule(
                n.resourceId(), new IpPrefix(n.real(), 32), AccessRule.rulesOf(d.filters()), true));
      }
    }
    return rules;
  }

  private void pruneResources() {
    Set<UUID> used = new HashSet<>();
    clients.values().forEach(c -> used.addAll(c.grants.keySet()));
    resources.keySet().retainAll(used);
  }

  /** Active (client, resource) accesses. */
  public int flowCount() {
    int n = 0;
    for (Client c : clients.values()) {
      n += c.grants.size();
    }
    return n;
  }

  /** Clients with a peer. */
  public int clientCount() {
    return clients.size();
  }

  /** The access of one client, for tests and status. */
  public Map<UUID, Long> grants(UUID clientId) {
    Client c = clients.get(clientId);
    return c == null ? Map.of() : Map.copyOf(c.grants);
  }

  private static boolean isDns(ResourceDescription d) {
    return d.type().equals("dns");
  }

  private static boolean expired(long expiresAt, long now) {
    return expiresAt != 0 && expiresAt <= now;
  }

  private static long later(long a, long b) {
    return a == 0 || b == 0 ? 0 : Math.max(a, b);
  }

  static IpPrefix hostPrefix(String address) {
    IpPrefix p = IpPrefix.parse(address);
    return new IpPrefix(p.address(), p.address().getAddress().length * 8);
  }

  /** The destination prefix of an {@code ip} or {@code cidr} resource, host bits cleared. */
  static IpPrefix prefixOf(ResourceDescription d) {
    if (!d.type().equals("ip") && !d.type().equals("cidr")) {
      return null;
    }
    try {
      IpPrefix p = IpPrefix.parse(d.address());
      byte[] a = p.address().getAddress();
      for (int i = p.length(); i < a.length * 8; i++) {
        a[i >>> 3] &= (byte) ~(1 << (7 - (i & 7)));
      }
      return new IpPrefix(InetAddress.getByAddress(a), p.length());
    } catch (IllegalArgumentException | UnknownHostException e) {
      return null;
    }
  }
}
