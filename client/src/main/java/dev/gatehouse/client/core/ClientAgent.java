package dev.gatehouse.client.core;

import dev.gatehouse.client.core.dns.DnsStub;
import dev.gatehouse.client.core.dns.ProxyIps;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Disconnect;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.ProxiedDomain;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.RelaysPresence;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.wireguard.AllowedIps;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * The headless client's pure core. It learns its tunnel addresses and resources from {@code init}
 * and keeps routes for them; on the first packet to a resource without a flow it sends {@code
 * create_flow} and holds that resource's packets (bounded) until {@code flow_created}, then adds
 * the gateway as a WireGuard peer and releases them. It removes routes and peer access on {@code
 * resource_deleted}, drops held packets on {@code flow_creation_failed}, and fails over (asks for a
 * new flow) when the handshake with a gateway does not complete in time or, once it did, when the
 * gateway stops answering the data sent to it (dead-peer detection, see {@link #tick}).
 *
 * <p>Pure: every input carries the monotonic time in nanoseconds; every output is a list of {@link
 * ClientCommand}s. Not thread-safe: the shell calls it under one lock.
 */
public final class ClientAgent {

  /**
   * Tuning.
   *
   * @param maxHeldPackets packets held per resource while its flow is being created (oldest
   *     dropped)
   * @param flowRequestTimeout how long to wait for {@code flow_created} before giving up
   * @param handshakeTimeout how long a new gateway peer has to complete a handshake before failover
   * @param retryAfterFailure how long packets to a resource whose flow failed are dropped before a
   *     new {@code create_flow}
   * @param staleAfter a gateway whose handshake count has not moved for this long is forgotten with
   *     its flows, so the next packet asks for a new flow (a busy session rekeys every 120 s; after
   *     REJECT_AFTER_TIME, 180 s, an idle or dead one cannot send anyway)
   * @param deadPeerAfter a gateway that has been sent data and has answered nothing (no transport
   *     message, no handshake) for this long is failed over; the default, 15 s, is WireGuard's
   *     KEEPALIVE_TIMEOUT + REKEY_TIMEOUT: a live peer that receives data answers within
   *     KEEPALIVE_TIMEOUT (10 s), at least with a keepalive (whitepaper §6.5)
   * @param ignoreRevocations for testing gateways only: a {@code resource_deleted} is reported and
   *     otherwise ignored, so the client keeps routing and sending to the resource as a client that
   *     misbehaves would, and the gateways' enforcement is what stops the traffic
   */
  public record Settings(
      int maxHeldPackets,
      Duration flowRequestTimeout,
      Duration handshakeTimeout,
      Duration retryAfterFailure,
      Duration staleAfter,
      Duration deadPeerAfter,
      boolean ignoreRevocations) {

    public Settings(
        int maxHeldPackets,
        Duration flowRequestTimeout,
        Duration handshakeTimeout,
        Duration retryAfterFailure,
        Duration staleAfter,
        Duration deadPeerAfter) {
      this(
          maxHeldPackets,
          flowRequestTimeout,
          handshakeTimeout,
          retryAfterFailure,
          staleAfter,
          deadPeerAfter,
          false);
    }

    public static Settings defaults() {
      return new Settings(
          64,
          Duration.ofSeconds(15),
          Duration.ofSeconds(12),
          Duration.ofSeconds(5),
          Duration.ofSeconds(195),
          Duration.ofSeconds(15));
    }
  }

  /** What to do with one outgoing packet. */
  public enum Verdict {
    /** Into the tunnel now. */
    FORWARD,
    /** Kept until the flow exists (it comes back in a {@link ClientCommand.Deliver}). */
    HELD,
    /** Dropped (no resource, or its flow recently failed). */
    DROP,
    /** Handled by the client itself (a query to the DNS stub); not for the tunnel. */
    LOCAL
  }

  /** The verdict for a packet and the commands it caused. */
  public record PacketDecision(Verdict verdict, List<ClientCommand> commands) {}

  private static final PacketDecision FORWARD = new PacketDecision(Verdict.FORWARD, List.of());

  /** A flow's state, per resource. */
  public sealed interface FlowState {
    /**
     * @param preferred the gateways the request named as connected; the answer may pick one
     */
    record Pending(String ref, long sinceNanos, ArrayDeque<byte[]> held, List<UUID> preferred)
        implements FlowState {}

    record Active(UUID gatewayId, UUID flowId) implements FlowState {}

    record Failed(String reason, long retryAtNanos) implements FlowState {}
  }

  private record Resource(ResourceDescription description, IpPrefix prefix) {}

  /**
   * A name under a DNS resource that the stub answered with a proxy address. Its flow is keyed by
   * its own id (not the resource's): each name is announced to the gateway with its own {@code
   * create_flow}.
   */
  private record DnsTarget(UUID resourceId, String name, IpPrefix proxy) {}

  /** Routed into the TUN interface while the client has DNS resources. */
  public static final IpPrefix PROXY_RANGE = IpPrefix.parse("100.96.0.0/11");

  public static final IpPrefix STUB_ROUTE = IpPrefix.parse("100.100.111.1/32");

  private static final class Gateway {
    final UUID id;
    final byte[] publicKey;
    final byte[] presharedKey;
    final String endpoint;
    final Set<UUID> resources = new LinkedHashSet<>();
    final PeerLiveness liveness = new PeerLiveness();

    Gateway(UUID id, byte[] publicKey, byte[] presharedKey, String endpoint) {
      this.id = id;
      this.publicKey = publicKey;
      this.presharedKey = presharedKey;
      this.endpoint = endpoint;
    }
  }

  /** A status snapshot for the status file. */
  public record Status(
      boolean initialized,
      String ipv4,
      String ipv6,
      Map<UUID, String> resources,
      Map<UUID, String> flows,
      Map<UUID, String> gateways,
      long packetsHeld,
      long packetsDroppedWhileHolding,
      Map<String, String> dnsNames,
      DnsStub.Counters dns) {}

  private final Settings settings;
  private InterfaceAddresses iface;
  private List<Relay> relays = List.of();
  private final Map<UUID, Resource> resources = new LinkedHashMap<>();
  private final AllowedIps<UUID> routes = new AllowedIps<>();
  private final Map<UUID, FlowState> flows = new HashMap<>();
  private final Map<String, UUID> pendingRefs = new HashMap<>();
  private final Map<UUID, Gateway> gateways = new LinkedHashMap<>();
  private final Set<UUID> unhealthyGateways = new LinkedHashSet<>();
  private final Map<UUID, DnsTarget> dnsTargets = new LinkedHashMap<>();
  private final DnsStub dns;
  private boolean dnsRouted;
  private long nextRef = 1;
  private long held;
  private long droppedWhileHolding;

  public ClientAgent(Settings settings) {
    this(settings, false);
  }

  /**
   * @param dnsUpstream whether the shell forwards DNS queries for names that are not resources to
   *     an upstream resolver; without one the stub refuses them
   */
  public ClientAgent(Settings settings, boolean dnsUpstream) {
    this.settings = settings;
    this.dns = new DnsStub(new ProxyIps(65_536), dnsUpstream);
  }

  // ------------------------------------------------------------------ control channel

  /** One message from the API node. */
  public List<ClientCommand> onMessage(Envelope<ClientOutbound> envelope, long nowNanos) {
    List<ClientCommand> out = new ArrayList<>();
    switch (envelope.payload()) {
      case ClientOutbound.Init init -> init(init, nowNanos, out);
      case ClientOutbound.ResourceCreatedOrUpdated u -> upsertResource(u.resource(), out);
      case ClientOutbound.ResourceDeleted d -> {
        if (settings.ignoreRevocations()) {
          out.add(
              new ClientCommand.Report("revocation_ignored", d.id() + " (--ignore-revocations)"));
        } else {
          deleteResource(d.id(), "resource deleted", out);
        }
      }
      case ClientOutbound.FlowCreated created ->
          flowCreated(envelope.ref(), created, nowNanos, out);
      case ClientOutbound.FlowCreationFailed failed -> {
        UUID key = envelope.ref() == null ? null : pendingRefs.get(envelope.ref());
        flowFailed(
            envelope.ref(),
            key != null ? key : failed.resourceId(),
            failed.reason()
                + (failed.violatedProperties().isEmpty() ? "" : " " + failed.violatedProperties())
                + (failed.detail() == null ? "" : ": " + failed.detail()),
            nowNanos,
            out);
      }
      case ClientOutbound.IceCandidates c ->
          out.add(new ClientCommand.GatewayCandidates(c.gatewayId(), c.candidates()));
      case ErrorReply e -> {
        UUID resource = envelope.ref() == null ? null : pendingRefs.get(envelope.ref());
        if (resource != null) {
          flowFailed(envelope.ref(), resource, "error " + e.reason(), nowNanos, out);
        } else {
          out.add(new ClientCommand.Report("api_error", e.reason() + ": " + e.detail()));
        }
      }
      case Disconnect d ->
          out.add(
              new ClientCommand.Report(
                  "api_disconnect", d.reason() + (d.reconnect() ? " (will reconnect)" : "")));
      case RelaysPresence p -> {
        if (!p.connected().equals(relays)) {
          relays = p.connected(); // the whole list, with fresh credentials
          out.add(new ClientCommand.UseRelays(relays));
        }
      }
    }
    return out;
  }

  private void init(ClientOutbound.Init init, long now, List<ClientCommand> out) {
    if (!init.relays().equals(relays)) {
      relays = init.relays();
      out.add(new ClientCommand.UseRelays(relays));
    }
    if (!init.interfaceAddresses().equals(iface)) {
      iface = init.interfaceAddresses();
      out.add(
          new ClientCommand.ConfigureInterface(hostPrefix(iface.ipv4()), hostPrefix(iface.ipv6())));
    }
    Set<UUID> listed = new LinkedHashSet<>();
    for (ResourceDescription r : init.resources()) {
      listed.add(r.id());
    }
    for (UUID id : List.copyOf(resources.keySet())) {
      if (!listed.contains(id)) {
        deleteResource(id, "not in init", out);
      }
    }
    for (ResourceDescription r : init.resources()) {
      upsertResource(r, out);
    }
    // A create_flow sent on the old connection (or not at all) will not be answered: ask again,
    // keeping the held packets.
    for (Map.Entry<UUID, FlowState> e : List.copyOf(flows.entrySet())) {
      if (e.getValue() instanceof FlowState.Pending p) {
        requestAgain(e.getKey(), p, now, out);
      }
    }
    out.add(
        new ClientCommand.Report(
            "init", "addresses " + iface + ", " + resources.size() + " resources"));
  }

  private void upsertResource(ResourceDescription d, List<ClientCommand> out) {
    IpPrefix prefix = prefixOf(d);
    Resource old = resources.get(d.id());
    if (old != null
        && (old.prefix() != null && old.prefix().equals(prefix)
            || isDns(old.description())
                && isDns(d)
                && old.description().address().equals(d.address()))) {
      resources.put(d.id(), new Resource(d, prefix));
      return; // filters or sites changed: the gateway enforces filters, the flow stays
    }
    if (old != null) {
      deleteResource(d.id(), "address changed", out);
    }
    resources.put(d.id(), new Resource(d, prefix));
    if (isDns(d)) {
      dns.resource(d.id(), d.address());
      if (!dnsRouted) {
        dnsRouted = true;
        out.add(new ClientCommand.AddRoute(STUB_ROUTE));
        out.add(new ClientCommand.AddRoute(PROXY_RANGE));
      }
      return;
    }
    if (prefix == null) {
      out.add(
          new ClientCommand.Report(
              "resource_unsupported",
              d.id() + " type " + d.type() + " address '" + d.address() + "' is not routable yet"));
      return;
    }
    routes.insert(prefix.address(), prefix.length(), d.id());
    out.add(new ClientCommand.AddRoute(prefix));
  }

  private void deleteResource(UUID id, String why, List<ClientCommand> out) {
    Resource r = resources.remove(id);
    if (r == null) {
      return;
    }
    if (r.prefix() != null) {
      routes.removeAll(id);
      out.add(new ClientCommand.RemoveRoute(r.prefix()));
    }
    if (isDns(r.description())) {
      dns.resource(id, null);
      for (Map.Entry<UUID, DnsTarget> t : List.copyOf(dnsTargets.entrySet())) {
        if (t.getValue().resourceId().equals(id)) {
          forgetTarget(t.getKey(), out);
        }
      }
      if (dnsRouted && !dns.hasResources()) {
        dnsRouted = false;
        out.add(new ClientCommand.RemoveRoute(PROXY_RANGE));
        out.add(new ClientCommand.RemoveRoute(STUB_ROUTE));
      }
    }
    dropFlow(id, out);
    out.add(new ClientCommand.Report("resource_removed", id + ": " + why));
  }

  /** Forgets the resource's flow; updates or removes its gateway's peer. */
  private void dropFlow(UUID resourceId, List<ClientCommand> out) {
    FlowState f = flows.remove(resourceId);
    switch (f) {
      case FlowState.Pending p -> {
        pendingRefs.remove(p.ref());
        droppedWhileHolding += p.held().size();
      }
      case FlowState.Active a -> {
        Gateway g = gateways.get(a.gatewayId());
        if (g != null) {
          g.resources.remove(resourceId);
          if (g.resources.isEmpty()) {
            gateways.remove(g.id);
            out.add(new ClientCommand.RemoveGatewayPeer(g.id, g.publicKey.clone()));
          } else {
            g.liveness.peerReplaced();
            out.add(upsertPeer(g));
          }
        }
      }
      case FlowState.Failed x -> {}
      case null -> {}
    }
  }

  private void flowCreated(
      String ref, ClientOutbound.FlowCreated created, long now, List<ClientCommand> out) {
    UUID resourceId = ref == null ? null : pendingRefs.get(ref);
    if (resourceId == null) {
      resourceId = created.resourceId();
    }
    if (!(flows.get(resourceId) instanceof FlowState.Pending pending)
        || !resourceIdOf(resourceId).equals(created.resourceId())) {
      out.add(
          new ClientCommand.Report(
              "flow_ignored", "flow_created for " + created.resourceId() + " was not requested"));
      return;
    }
    if (unhealthyGateways.contains(created.gatewayId()) && !pending.ref().equals(ref)) {
      // The request that named the gateway as connected was superseded when it failed over.
      out.add(
          new ClientCommand.Report(
              "flow_ignored",
              "flow_created for "
                  + resourceId
                  + " via failed gateway "
                  + created.gatewayId()
                  + " answers an earlier request; waiting for the answer to the newer one"));
      return;
    }
    if (flowPrefix(resourceId) == null) {
      flowFailed(ref, resourceId, "resource no longer known", now, out);
      return;
    }
    if (created.gatewayEndpoint() == null || created.gatewayEndpoint().isBlank()) {
      flowFailed(ref, resourceId, "flow_created without gateway_endpoint", now, out);
      return;
    }
    byte[] publicKey;
    byte[] psk;
    try {
      publicKey = StaticIdentity.decodeKey(created.gatewayPublicKey());
      psk = StaticIdentity.decodeKey(created.presharedKey());
    } catch (IllegalArgumentException e) {
      flowFailed(ref, resourceId, "bad key in flow_created: " + e.getMessage(), now, out);
      return;
    }
    pendingRefs.remove(pending.ref());
    Gateway g = gateways.get(created.gatewayId());
    if (g != null
        && (!Arrays.equals(g.publicKey, publicKey)
            || !Arrays.equals(g.presharedKey, psk)
            || !g.endpoint.equals(created.gatewayEndpoint()))) {
      out.add(new ClientCommand.RemoveGatewayPeer(g.id, g.publicKey.clone()));
      Gateway replaced = new Gateway(g.id, publicKey, psk, created.gatewayEndpoint());
      replaced.resources.addAll(g.resources);
      g = replaced;
    }
    if (g == null) {
      g = new Gateway(created.gatewayId(), publicKey, psk, created.gatewayEndpoint());
    }
    gateways.put(g.id, g);
    // The API node picked it again (after a failover): it is eligible once more.
    unhealthyGateways.remove(g.id);
    g.resources.add(resourceId);
    g.liveness.peerAdded(now);
    out.add(upsertPeer(g));
    flows.put(resourceId, new FlowState.Active(g.id, created.flowId()));
    if (!pending.held().isEmpty()) {
      out.add(new ClientCommand.Deliver(List.copyOf(pending.held())));
      g.liveness.dataSent(now, pending.held().size());
    }
    out.add(
        new ClientCommand.Report(
            "flow_created",
            "resource "
                + resourceId
                + " via gateway "
                + g.id
                + " at "
                + g.endpoint
                + ", released "
                + pending.held().size()
                + " held packets"));
  }

  private ClientCommand upsertPeer(Gateway g) {
    List<IpPrefix> allowed = new ArrayList<>();
    for (UUID r : g.resources) {
      IpPrefix p = flowPrefix(r);
      if (p != null && !allowed.contains(p)) {
        allowed.add(p);
      }
    }
    return new ClientCommand.UpsertGatewayPeer(
        g.id, g.publicKey.clone(), g.presharedKey.clone(), g.endpoint, allowed);
  }

  private void flowFailed(
      String ref, UUID resourceId, String reason, long now, List<ClientCommand> out) {
    FlowState f = flows.get(resourceId);
    if (!(f instanceof FlowState.Pending p)) {
      out.add(
          new ClientCommand.Report("flow_ignored", "failure for " + resourceId + ": " + reason));
      return;
    }
    if (ref != null && !ref.equals(p.ref())) {
      return; // the answer to an older request
    }
    pendingRefs.remove(p.ref());
    droppedWhileHolding += p.held().size();
    flows.put(
        resourceId, new FlowState.Failed(reason, now + settings.retryAfterFailure().toNanos()));
    out.add(
        new ClientCommand.Report(
            "flow_creation_failed",
            "resource "
                + resourceId
                + ": "
                + reason
                + "; dropped "
                + p.held().size()
                + " held packets"));
  }

  // ------------------------------------------------------------------ packets

  /** An IP packet the OS routed into the TUN interface. The array is not kept unless held. */
  public PacketDecision onPacket(byte[] packet, int off, int len, long now) {
    if (DnsStub.isForStub(packet, off, len)) {
      return new PacketDecision(Verdict.LOCAL, dnsQuery(packet, off, len));
    }
    UUID resourceId = resourceOf(packet, off, len);
    if (resourceId == null) {
      return new PacketDecision(Verdict.DROP, List.of());
    }
    FlowState f = flows.get(resourceId);
    if (f instanceof FlowState.Active a) {
      Gateway g = gateways.get(a.gatewayId());
      if (g != null) {
        g.liveness.dataSent(now, 1);
      }
      return FORWARD;
    }
    if (f instanceof FlowState.Failed failed && now - failed.retryAtNanos() < 0) {
      return new PacketDecision(Verdict.DROP, List.of());
    }
    List<ClientCommand> out = new ArrayList<>();
    FlowState.Pending pending;
    if (f instanceof FlowState.Pending p) {
      pending = p;
    } else {
      pending = requestFlow(resourceId, now, out);
    }
    if (pending.held().size() >= settings.maxHeldPackets()) {
      pending.held().pollFirst();
      droppedWhileHolding++;
    }
    pending.held().addLast(Arrays.copyOfRange(packet, off, off + len));
    held++;
    return new PacketDecision(Verdict.HELD, out);
  }

  private FlowState.Pending requestFlow(UUID resourceId, long now, List<ClientCommand> out) {
    String ref = Long.toString(nextRef++);
    List<UUID> connected = new ArrayList<>();
    for (Gateway g : gateways.values()) {
      if (!unhealthyGateways.contains(g.id)) {
        connected.add(g.id);
      }
    }
    FlowState.Pending pending =
        new FlowState.Pending(ref, now, new ArrayDeque<>(), List.copyOf(connected));
    flows.put(resourceId, pending);
    pendingRefs.put(ref, resourceId);
    DnsTarget t = dnsTargets.get(resourceId);
    ProxiedDomain domain =
        t == null
            ? null
            : new ProxiedDomain(t.name(), List.of(t.proxy().address().getHostAddress()));
    out.add(
        new ClientCommand.Send(
            Envelope.of(
                ref, new ClientInbound.CreateFlow(resourceIdOf(resourceId), connected, domain))));
    return pending;
  }

  // ------------------------------------------------------------------ DNS

  private List<ClientCommand> dnsQuery(byte[] packet, int off, int len) {
    List<ClientCommand> out = new ArrayList<>();
    switch (dns.onPacket(packet, off, len)) {
      case DnsStub.Outcome.Answer a -> {
        if (a.resourceId() != null) {
          target(a.resourceId(), a.name(), a.proxyIp(), out);
        }
        out.add(new ClientCommand.WriteToTun(a.packet()));
      }
      case DnsStub.Outcome.Forward f ->
          out.add(new ClientCommand.ForwardDnsQuery(f.query(), f.replyTo()));
      case DnsStub.Outcome.Dropped d -> {}
    }
    return out;
  }

  /** The upstream resolver's answer to a {@link ClientCommand.ForwardDnsQuery}. */
  public List<ClientCommand> onUpstreamDnsAnswer(
      DnsStub.ReplyTo replyTo, byte[] payload, int off, int len) {
    byte[] packet = dns.upstreamAnswer(replyTo, payload, off, len);
    return packet == null ? List.of() : List.of(new ClientCommand.WriteToTun(packet));
  }

  /** Routes the proxy address of a name the stub answered to the name's own flow key. */
  private void target(UUID resourceId, String name, byte[] proxyIp, List<ClientCommand> out) {
    UUID key =
        UUID.nameUUIDFromBytes(
            (resourceId + "/" + name).getBytes(java.nio.charset.StandardCharsets.UTF_8));
    if (dnsTargets.containsKey(key)) {
      return;
    }
    IpPrefix proxy;
    try {
      proxy = new IpPrefix(java.net.InetAddress.getByAddress(proxyIp), 32);
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
    for (Map.Entry<UUID, DnsTarget> t : List.copyOf(dnsTargets.entrySet())) {
      if (t.getValue().proxy().equals(proxy)) {
        forgetTarget(t.getKey(), out); // the name moved to another resource
      }
    }
    dnsTargets.put(key, new DnsTarget(resourceId, name, proxy));
    routes.insert(proxy.address(), 32, key);
    out.add(
        new ClientCommand.Report(
            "dns_name", name + " -> " + proxy + " (resource " + resourceId + ")"));
  }

  private void forgetTarget(UUID key, List<ClientCommand> out) {
    dnsTargets.remove(key);
    routes.removeAll(key);
    dropFlow(key, out);
  }

  /** The resource a flow key belongs to: itself, or a DNS name's resource. */
  private UUID resourceIdOf(UUID key) {
    DnsTarget t = dnsTargets.get(key);
    return t == null ? key : t.resourceId();
  }

  /** What a flow key routes through its gateway: the resource's prefix or the proxy address. */
  private IpPrefix flowPrefix(UUID key) {
    DnsTarget t = dnsTargets.get(key);
    if (t != null) {
      return resources.containsKey(t.resourceId()) ? t.proxy() : null;
    }
    Resource r = resources.get(key);
    return r == null ? null : r.prefix();
  }

  private static boolean isDns(ResourceDescription d) {
    return d.type().equals("dns");
  }

  /** Replaces a pending request with a new one, keeping its held packets. */
  private void requestAgain(
      UUID resourceId, FlowState.Pending p, long now, List<ClientCommand> out) {
    pendingRefs.remove(p.ref());
    FlowState.Pending again = requestFlow(resourceId, now, out);
    again.held().addAll(p.held());
  }

  private UUID resourceOf(byte[] b, int off, int len) {
    if (len < 1) {
      return null;
    }
    int version = (b[off] >>> 4) & 0xf;
    if (version == 4 && len >= 20) {
      return routes.lookup(b, off + 16, 4);
    }
    if (version == 6 && len >= 40) {
      return routes.lookup(b, off + 24, 16);
    }
    return null;
  }

  // ------------------------------------------------------------------ time

  /**
   * Advances time: gives up on flow requests that got no answer, and fails over a gateway whose
   * handshake did not complete within {@link Settings#handshakeTimeout} or that has answered
   * nothing for {@link Settings#deadPeerAfter} since data was first sent to it after its last
   * reply. That is WireGuard's new-handshake timer (whitepaper §6.5): started by the first data
   * packet sent (keepalives do not count: a live peer does not answer them), stopped by anything
   * received, a handshake included. A gateway nobody sends to is never failed over; it is forgotten
   * after {@link Settings#staleAfter}.
   *
   * @param progress the tunnel's counters per gateway peer; a missing entry counts as {@link
   *     PeerProgress#NONE}
   */
  public List<ClientCommand> tick(long now, Map<UUID, PeerProgress> progress) {
    List<ClientCommand> out = new ArrayList<>();
    for (Map.Entry<UUID, FlowState> e : List.copyOf(flows.entrySet())) {
      if (e.getValue() instanceof FlowState.Pending p
          && now - p.sinceNanos() > settings.flowRequestTimeout().toNanos()) {
        flowFailed(p.ref(), e.getKey(), "no answer to create_flow", now, out);
      }
    }
    for (Gateway g : List.copyOf(gateways.values())) {
      g.liveness.observe(progress.getOrDefault(g.id, PeerProgress.NONE), now);
      String why =
          g.liveness.failoverReason(now, settings.handshakeTimeout(), settings.deadPeerAfter());
      if (why != null) {
        failover(g, why, now, out);
      } else if (g.liveness.stale(now, settings.staleAfter())) {
        forgetStale(g, out);
      }
    }
    return out;
  }

  private void forgetStale(Gateway g, List<ClientCommand> out) {
    gateways.remove(g.id);
    out.add(new ClientCommand.RemoveGatewayPeer(g.id, g.publicKey.clone()));
    for (UUID r : g.resources) {
      flows.remove(r);
    }
    out.add(
        new ClientCommand.Report(
            "gateway_stale",
            "no handshake with gateway "
                + g.id
                + " for "
                + settings.staleAfter().toSeconds()
                + " s; its "
                + g.resources.size()
                + " flows will be asked for again on next use"));
  }

  /**
   * Removes the gateway's peer, marks it unhealthy (left out of {@code connected_gateway_ids} until
   * a {@code flow_created} names it again) and asks for new flows for its resources; packets to
   * them are held until those exist. Pending requests that named it as connected are asked again,
   * since their answer would likely pick it.
   */
  private void failover(Gateway g, String why, long now, List<ClientCommand> out) {
    gateways.remove(g.id);
    unhealthyGateways.add(g.id);
    out.add(new ClientCommand.RemoveGatewayPeer(g.id, g.publicKey.clone()));
    out.add(
        new ClientCommand.Report(
            "gateway_failover",
            "gateway "
                + g.id
                + " at "
                + g.endpoint
                + ": "
                + why
                + "; asking for new flows for "
                + g.resources.size()
                + " resources"));
    for (UUID r : g.resources) {
      flows.remove(r);
      if (flowPrefix(r) != null) {
        requestFlow(r, now, out);
      }
    }
    for (Map.Entry<UUID, FlowState> e : List.copyOf(flows.entrySet())) {
      if (e.getValue() instanceof FlowState.Pending p && p.preferred().contains(g.id)) {
        requestAgain(e.getKey(), p, now, out);
      }
    }
  }

  // ------------------------------------------------------------------ status

  /** Gateway ids with a peer now. */
  public Set<UUID> gatewayIds() {
    return Set.copyOf(gateways.keySet());
  }

  public Status status() {
    Map<UUID, String> res = new LinkedHashMap<>();
    resources.forEach(
        (id, r) ->
            res.put(id, r.description().type() + " " + (r.prefix() == null ? "-" : r.prefix())));
    Map<UUID, String> fl = new LinkedHashMap<>();
    flows.forEach(
        (id, f) ->
            fl.put(
                id,
                switch (f) {
                  case FlowState.Pending p -> "pending (" + p.held().size() + " held)";
                  case FlowState.Active a -> "active via " + a.gatewayId();
                  case FlowState.Failed x -> "failed: " + x.reason();
                }));
    dnsTargets.forEach(
        (key, t) -> {
          String f = fl.get(key);
          if (f != null) {
            fl.put(key, t.name() + " (resource " + t.resourceId() + ") " + f);
          }
        });
    Map<String, String> names = new LinkedHashMap<>();
    dnsTargets
        .values()
        .forEach(t -> names.put(t.name(), t.proxy() + " resource " + t.resourceId()));
    Map<UUID, String> gw = new LinkedHashMap<>();
    gateways.forEach(
        (id, g) -> gw.put(id, g.endpoint + " " + g.liveness + " resources=" + g.resources));
    return new Status(
        iface != null,
        iface == null ? "" : iface.ipv4(),
        iface == null ? "" : iface.ipv6(),
        res,
        fl,
        gw,
        held,
        droppedWhileHolding,
        names,
        dns.counters());
  }

  /** The flow state of a resource, or null. */
  public FlowState flow(UUID resourceId) {
    return flows.get(resourceId);
  }

  static IpPrefix hostPrefix(String address) {
    IpPrefix p = IpPrefix.parse(address);
    return new IpPrefix(p.address(), p.address().getAddress().length * 8);
  }

  /** The routable prefix of an {@code ip} or {@code cidr} resource; null for other types. */
  static IpPrefix prefixOf(ResourceDescription d) {
    if (!d.type().equals("ip") && !d.type().equals("cidr")) {
      return null;
    }
    try {
      IpPrefix p = IpPrefix.parse(d.address());
      return canonical(p);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  /** Zeroes host bits, so that {@code 10.0.0.7/24} and {@code 10.0.0.0/24} are one prefix. */
  public static IpPrefix canonical(IpPrefix p) {
    byte[] a = p.address().getAddress();
    for (int i = p.length(); i < a.length * 8; i++) {
      a[i >>> 3] &= (byte) ~(1 << (7 - (i & 7)));
    }
    try {
      return new IpPrefix(java.net.InetAddress.getByAddress(a), p.length());
    } catch (java.net.UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }
}
