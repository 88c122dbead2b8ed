package dev.gatehouse.gateway.tunnel;

import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.tunnel.GatewayPaths;
import dev.gatehouse.gateway.agent.GatewayAgent;
import dev.gatehouse.gateway.agent.GatewayCommand;
import dev.gatehouse.gateway.control.ControlChannelState;
import dev.gatehouse.gateway.nat.NatTable;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.relay.paths.Candidate;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.UdpSocketCounters;
import dev.gatehouse.tunnel.runner.TunnelEngine;
import dev.gatehouse.tunnel.tun.TunDevice;
import dev.gatehouse.tunnel.wireguard.DropReason;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The running gateway in kernel mode: control channel → {@link GatewayAgent} → peers with
 * per-client {@link ClientAccessFilter}s, the TUN interface's addresses, forwarding and masquerade
 * ({@link HostNetwork}), and replies to the API; the tunnel engine moves packets between UDP and
 * the TUN device. Every agent call and its commands run under one lock. Exposes the counters the
 * metrics read.
 */
public final class GatewayRuntime implements AutoCloseable {

  /** Client tunnel address ranges (DESIGN.md, "Addresses"), routed into the TUN interface. */
  public static final List<IpPrefix> CLIENT_RANGES =
      List.of(IpPrefix.parse("100.64.0.0/11"), IpPrefix.parse("fd00:2021:1111::/107"));

  /**
   * Settings of one gateway run.
   *
   * @param channel how to reach the API; {@code public_key} and {@code version} are added to the
   *     join parameters here, and the default path {@value ControlChannel#GATEWAY_PATH} when the
   *     URL has none; the caller adds {@code external_id}, {@code name} and {@code endpoint}
   * @param dialApi false only in tests that drive the control-channel state themselves
   */
  /**
   * @param dnsRefreshSeconds how often the names of dns resources in use are resolved again
   */
  public record Options(
      ControlChannel.Options channel,
      String interfaceName,
      int mtu,
      boolean dialApi,
      long dnsRefreshSeconds) {
    public Options(ControlChannel.Options channel, String interfaceName, int mtu, boolean dialApi) {
      this(channel, interfaceName, mtu, dialApi, GatewayAgent.DEFAULT_DNS_REFRESH_SECONDS);
    }
  }

  private final Options options;
  private final StaticIdentity identity;
  private final CountingTunDevice tun;
  private final CountingTransport transport;
  private final UdpSocketCounters socket; // null: the socket keeps no such counts
  private final RelayedTransport relayed;
  private final HostNetwork host;
  private final ControlChannelState state;
  private final Consumer<String> log;
  private final InstantSource clock;
  private final GatewayAgent agent;
  private final NatTable nat = new NatTable();
  private final NameResolver resolver;
  private final WireGuardDevice device;
  private final Map<UUID, Peer> peers = new HashMap<>();
  private final Map<UUID, ClientAccessFilter> filters = new HashMap<>();
  private final Map<UUID, Integer> natClients = new HashMap<>();

  /** Connections through a proxy address idle this long are forgotten. */
  static final Duration NAT_IDLE = Duration.ofMinutes(2);

  private final AtomicLong handshakesOfRemovedPeers = new AtomicLong();
  private final CompletableFuture<ControlChannel.End> ended = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("gateway-timer").daemon().unstarted(r));
  private ControlChannel<GatewayOutbound> channel;
  private TunnelEngine engine;
  private AdvertisedEndpoints advertised;
  private volatile List<InetSocketAddress> hostCandidates = List.of();
  private final Map<String, InetSocketAddress> reflexive = new ConcurrentHashMap<>();
  private volatile boolean tunnelUp;
  private volatile String tunnelProblem = "not started";

  public GatewayRuntime(
      Options options,
      StaticIdentity identity,
      TunDevice tun,
      DatagramTransport transport,
      HostNetwork host,
      ControlChannelState state,
      InstantSource clock,
      Consumer<String> log) {
    this(
        options,
        identity,
        tun,
        transport,
        host,
        state,
        clock,
        log,
        NameResolver.system(Duration.ofSeconds(5)));
  }

  /**
   * @param resolver resolves the names of DNS resources (the pod's resolver in production)
   */
  public GatewayRuntime(
      Options options,
      StaticIdentity identity,
      TunDevice tun,
      DatagramTransport transport,
      HostNetwork host,
      ControlChannelState state,
      InstantSource clock,
      Consumer<String> log,
      NameResolver resolver) {
    this.options = options;
    this.agent = new GatewayAgent(options.dnsRefreshSeconds());
    this.identity = identity;
    this.resolver = resolver;
    this.tun = new CountingTunDevice(new NatTunDevice(tun, nat));
    this.transport = new CountingTransport(transport);
    this.socket = transport instanceof UdpSocketCounters c ? c : null;
    this.relayed = new RelayedTransport(this.transport, new RelayListener(), new SecureRandom());
    this.host = host;
    this.state = state;
    this.clock = clock;
    this.log = log;
    this.device =
        new WireGuardDevice(identity, TunnelClock.system(), WireGuardDevice.Config.defaults());
    this.relayed.authenticatedBy(device::authenticatedDatagrams);
  }

  /**
   * Where the further addresses clients may reach us at come from (the operator's Service
   * addresses); announced with our relayed ones, and again whenever they change. Before {@link
   * #start}.
   */
  public GatewayRuntime advertise(AdvertisedEndpoints endpoints) {
    this.advertised = endpoints;
    return this;
  }

  /** Brings the link up, starts the tunnel engine and dials the API. */
  public GatewayRuntime start() throws IOException {
    try {
      host.up(tun.name(), options.mtu());
    } catch (IOException e) {
      tunnelProblem = "cannot bring up " + tun.name() + ": " + e.getMessage();
      throw e;
    }
    engine = new TunnelEngine(device, tun, relayed, log).start();
    tunnelUp = true;
    tunnelProblem = "";
    Map<String, String> join = new HashMap<>(options.channel().joinParams());
    join.put("public_key", StaticIdentity.encodeKey(identity.publicKey()));
    join.putIfAbsent("version", ControlChannel.VERSION);
    ControlChannel.Options ch =
        options
            .channel()
            .with(
                ControlChannel.withDefaultPath(
                    options.channel().uri(), ControlChannel.GATEWAY_PATH),
                join);
    channel = new ControlChannel<>(ch, Direction.GATEWAY_OUTBOUND, new Listener());
    if (options.dialApi()) {
      state.connecting("connecting to " + options.channel().uri());
      channel.start();
    }
    timer.scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    if (advertised != null) {
      timer.scheduleWithFixedDelay(
          this::readAdvertised, 0, ADVERTISED_POLL_SECONDS, TimeUnit.SECONDS);
    }
    return this;
  }

  /** How often the advertised endpoints' file is read again (kubelet updates it within ~1 min). */
  static final long ADVERTISED_POLL_SECONDS = 2;

  private void readAdvertised() {
    try {
      advertised
          .changed()
          .ifPresent(
              list -> {
                hostCandidates = List.copyOf(list);
                synchronized (agent) {
                  announceCandidates(List.copyOf(peers.keySet()));
                }
              });
    } catch (RuntimeException e) {
      log.accept("reading advertised endpoints failed: " + e);
    }
  }

  private void tick() {
    try {
      synchronized (agent) {
        apply(agent.tick(clock.instant().getEpochSecond()));
      }
      nat.expire(System.nanoTime(), NAT_IDLE.toNanos());
    } catch (RuntimeException e) {
      log.accept("tick failed: " + e);
    }
  }

  /** Caller holds the agent's lock. */
  private void apply(List<GatewayCommand> commands) {
    for (GatewayCommand c : commands) {
      try {
        switch (c) {
          case GatewayCommand.ConfigureInterface ci -> {
            try {
              host.configure(
                  tun.name(),
                  ci.ipv4(),
                  ci.ipv6(),
                  CLIENT_RANGES,
                  ci.ipv4Masquerade(),
                  ci.ipv6Masquerade());
              tunnelProblem = "";
              tunnelUp = true;
            } catch (IOException e) {
              tunnelUp = false;
              tunnelProblem = "cannot configure " + tun.name() + ": " + e.getMessage();
              throw e;
            }
          }
          case GatewayCommand.UpsertClientPeer u -> {
            removePeer(u.clientId());
            ClientAccessFilter filter = new ClientAccessFilter(u.access(), nat);
            Peer p =
                device.addPeer(
                    new PeerConfig(
                        u.publicKey(),
                        u.presharedKey(),
                        u.allowedIps(),
                        null,
                        Duration.ZERO,
                        filter));
            peers.put(u.clientId(), p);
            filters.put(u.clientId(), filter);
            announceCandidates(List.of(u.clientId()));
          }
          case GatewayCommand.SetClientAccess s -> {
            ClientAccessFilter f = filters.get(s.clientId());
            if (f != null) {
              f.set(s.access());
            }
          }
          case GatewayCommand.RemoveClientPeer r -> removePeer(r.clientId());
          case GatewayCommand.Resolve r -> resolve(r);
          case GatewayCommand.SetClientNat n -> {
            if (n.clientIpv4() != null) {
              Map<Integer, Integer> m = new HashMap<>();
              for (GatewayCommand.NatMapping x : n.mappings()) {
                m.put(toInt(x.proxy()), toInt(x.real()));
              }
              nat.set(toInt(n.clientIpv4().address()), m);
              natClients.put(n.clientId(), toInt(n.clientIpv4().address()));
            }
          }
          case GatewayCommand.Reply r -> {
            if (!channel.send(r.envelope())) {
              log.accept("could not send " + r.envelope().event() + " (not connected)");
            }
          }
          case GatewayCommand.UseRelays u ->
              relayed.setServers(GatewayPaths.servers(u.relays(), log));
          case GatewayCommand.ClientCandidates cc -> {
            for (String line : cc.candidates()) {
              Candidate.parse(line).ifPresent(x -> relayed.permit(x.address().getAddress()));
            }
          }
          case GatewayCommand.Report r -> log.accept(r.event() + ": " + r.detail());
        }
      } catch (IOException | RuntimeException e) {
        log.accept("command " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
      }
    }
  }

  /**
   * Tells these clients where else they may reach us ({@code broadcast_ice_candidates}): the
   * advertised endpoints as host candidates, the addresses our relays see us at as server-reflexive
   * ones (they probe those), and our relayed addresses, so a client with no path to our endpoint
   * reaches us through a relay. Caller holds the agent's lock.
   */
  private void announceCandidates(List<UUID> clients) {
    List<String> lines = new ArrayList<>();
    hostCandidates.forEach(a -> lines.add(new Candidate(Candidate.Type.HOST, a).line()));
    reflexive.values().stream()
        .distinct()
        .filter(a -> !hostCandidates.contains(a))
        .forEach(a -> lines.add(new Candidate(Candidate.Type.SRFLX, a).line()));
    relayed.relayedAddresses().forEach(a -> lines.add(Candidate.relay(a).line()));
    if (lines.isEmpty() || clients.isEmpty() || channel == null) {
      return;
    }
    if (!channel.send(
        Envelope.of(null, new GatewayInbound.BroadcastIceCandidates(lines, clients)))) {
      log.accept("could not announce candidates (not connected)");
    }
  }

  /** Allocations come and go on the transport's thread; clients hear of them from the timer's. */
  private final class RelayListener implements RelayedTransport.Listener {
    @Override
    public void allocated(String relayId, InetSocketAddress at, InetSocketAddress mapped) {
      log.accept("relay " + relayId + ": allocated " + at + " (we are " + mapped + " to it)");
      if (mapped != null) {
        reflexive.put(relayId, mapped);
      }
      timer.execute(
          () -> {
            synchronized (agent) {
              announceCandidates(List.copyOf(peers.keySet()));
            }
          });
    }

    @Override
    public void lost(String relayId, String reason) {
      reflexive.remove(relayId);
      log.accept("relay " + relayId + ": " + reason + "; allocating again");
    }
  }

  /** Resolves off the agent's lock; the answer comes back under it. */
  private void resolve(GatewayCommand.Resolve r) {
    resolver
        .resolve(r.name())
        .whenComplete(
            (addresses, error) -> {
              Throwable cause =
                  error instanceof java.util.concurrent.CompletionException
                          && error.getCause() != null
                      ? error.getCause()
                      : error;
              String why =
                  cause == null
                      ? null
                      : cause instanceof java.util.concurrent.TimeoutException
                          ? "resolver timed out"
                          : cause.getMessage() == null ? cause.toString() : cause.getMessage();
              try {
                synchronized (agent) {
                  apply(
                      agent.onResolved(r.ref(), addresses, why, clock.instant().getEpochSecond()));
                }
              } catch (RuntimeException e) {
                log.accept("resolution of " + r.name() + " failed: " + e);
              }
            });
  }

  private static int toInt(java.net.InetAddress a) {
    byte[] b = a.getAddress();
    return ((b[0] & 0xff) << 24) | ((b[1] & 0xff) << 16) | ((b[2] & 0xff) << 8) | (b[3] & 0xff);
  }

  private void removePeer(UUID clientId) {
    Integer natClient = natClients.remove(clientId);
    if (natClient != null) {
      nat.set(natClient, Map.of());
    }
    Peer old = peers.remove(clientId);
    filters.remove(clientId);
    if (old != null) {
      handshakesOfRemovedPeers.addAndGet(old.handshakesCompleted());
      device.removePeer(old);
    }
  }

  /** Completes when the control channel stops for good. */
  public CompletableFuture<ControlChannel.End> ended() {
    return ended;
  }

  public StaticIdentity identity() {
    return identity;
  }

  public WireGuardDevice device() {
    return device;
  }

  /** Whether the TUN device and UDP socket run and the interface is configured. */
  public boolean tunnelUp() {
    return tunnelUp;
  }

  /** Why the tunnel is not up; empty when it is. */
  public String tunnelProblem() {
    return tunnelProblem;
  }

  public int peerCount() {
    return device.peers().size();
  }

  /** Completed handshakes since start, including those of peers removed since. */
  public long handshakes() {
    long n = handshakesOfRemovedPeers.get();
    for (Peer p : device.peers()) {
      n += p.handshakesCompleted();
    }
    return n;
  }

  public long dropCount(DropReason reason) {
    return device.dropCount(reason);
  }

  /** Address translations in force (proxy addresses of DNS names) plus tracked connections. */
  public int natEntries() {
    return nat.mappings() + nat.connections();
  }

  public int activeFlows() {
    synchronized (agent) {
      return agent.flowCount();
    }
  }

  /** Bytes of WireGuard datagrams sent / received through relays, and allocations made. */
  public long relayedTxBytes() {
    return relayed.relayedBytesOut();
  }

  public long relayedRxBytes() {
    return relayed.relayedBytesIn();
  }

  public long relayAllocations() {
    return relayed.allocationsMade();
  }

  /** The UDP socket's own counts of pushback and loss, when it keeps them (the FFM socket). */
  public Optional<UdpSocketCounters> udpSocketCounters() {
    return Optional.ofNullable(socket);
  }

  /** UDP datagrams received / sent, and their bytes. */
  public long udpRxPackets() {
    return transport.rxPackets.sum();
  }

  public long udpRxBytes() {
    return transport.rxBytes.sum();
  }

  public long udpTxPackets() {
    return transport.txPackets.sum();
  }

  public long udpTxBytes() {
    return transport.txBytes.sum();
  }

  /** Packets the tunnel delivered to the kernel (towards resources), and their bytes. */
  public long tunOutPackets() {
    return tun.writtenPackets.sum();
  }

  public long tunOutBytes() {
    return tun.writtenBytes.sum();
  }

  /** Packets the kernel handed to the tunnel (towards clients), and their bytes. */
  public long tunInPackets() {
    return tun.readPackets.sum();
  }

  public long tunInBytes() {
    return tun.readBytes.sum();
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    timer.shutdownNow();
    if (channel != null) {
      channel.close();
    }
    tunnelUp = false;
    tunnelProblem = "stopped";
    if (engine != null) {
      engine.close();
    }
    host.tearDown(tun.name());
    ended.complete(ControlChannel.End.CLOSED);
  }

  private final class Listener implements ControlChannel.Listener<GatewayOutbound> {
    @Override
    public void onOpen() {
      state.connecting("joined " + options.channel().uri() + ", waiting for init");
    }

    @Override
    public void onMessage(Envelope<GatewayOutbound> envelope) {
      synchronized (agent) {
        apply(agent.onMessage(envelope, clock.instant().getEpochSecond()));
      }
      if (envelope.payload() instanceof GatewayOutbound.Init) {
        state.connected();
      }
    }

    @Override
    public void onClosed(String reason) {
      state.disconnected(reason);
      log.accept("control channel lost: " + reason);
    }

    @Override
    public void onEnd(ControlChannel.End end, String reason) {
      state.disconnected(end + ": " + reason);
      log.accept("control channel ended: " + end + ": " + reason);
      ended.complete(end);
    }
  }
}
