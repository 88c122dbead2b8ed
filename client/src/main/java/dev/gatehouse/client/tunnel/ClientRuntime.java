package dev.gatehouse.client.tunnel;

import dev.gatehouse.client.control.ControlChannel;
import dev.gatehouse.client.core.ClientAgent;
import dev.gatehouse.client.core.ClientCommand;
import dev.gatehouse.client.core.PeerProgress;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.relay.paths.RelayedTransport;
import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.net.HostPort;
import dev.gatehouse.tunnel.runner.TunnelEngine;
import dev.gatehouse.tunnel.tun.TunDevice;
import dev.gatehouse.tunnel.wireguard.IpPrefix;
import dev.gatehouse.tunnel.wireguard.Peer;
import dev.gatehouse.tunnel.wireguard.PeerConfig;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import dev.gatehouse.tunnel.wireguard.TunnelClock;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * The running client: control channel → {@link ClientAgent} → routes, peers and held packets, with
 * the tunnel engine moving packets between the TUN device and UDP. Every agent call and the
 * commands it returns run under one lock, so routes and peers change in the order the API sent
 * them.
 */
public final class ClientRuntime implements AutoCloseable {

  /**
   * Settings of one client run.
   *
   * @param channel how to reach the API; {@code public_key} and {@code version} are added to the
   *     join parameters here, the default path {@value ControlChannel#CLIENT_PATH} when the URL has
   *     none; the caller adds {@code external_id} (and {@code name})
   * @param statusFile where a status snapshot is written every second; null for none
   * @param dnsUpstream where the DNS stub forwards queries for names that are not resources; null
   *     for none (they are refused)
   */
  public record Options(
      ControlChannel.Options channel,
      ClientAgent.Settings agent,
      int mtu,
      Duration persistentKeepalive,
      Path statusFile,
      UpstreamResolver dnsUpstream) {

    public Options(
        ControlChannel.Options channel,
        ClientAgent.Settings agent,
        int mtu,
        Duration persistentKeepalive,
        Path statusFile) {
      this(channel, agent, mtu, persistentKeepalive, statusFile, null);
    }
  }

  private final Options options;
  private final TunDevice tun;
  private final RelayedTransport transport;
  private final GatewayPaths paths;
  private final InterfaceConfigurator ifc;
  private final Consumer<String> log;
  private final StaticIdentity identity;
  private final ClientAgent agent;
  private final WireGuardDevice device;
  private final GatedTunDevice gated;
  private final Map<UUID, Peer> peers = new HashMap<>();
  private final Map<UUID, ClientCommand.UpsertGatewayPeer> upserted = new HashMap<>();
  private final Set<IpPrefix> routes = new HashSet<>();
  private final CompletableFuture<ControlChannel.End> ended = new CompletableFuture<>();
  private final java.util.concurrent.atomic.AtomicBoolean closed =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(
          r -> Thread.ofPlatform().name("client-timer").daemon().unstarted(r));
  private volatile ControlChannel<ClientOutbound> channel;
  private TunnelEngine engine;
  private volatile String channelState = "connecting";

  public ClientRuntime(
      Options options,
      StaticIdentity identity,
      TunDevice tun,
      DatagramTransport transport,
      InterfaceConfigurator ifc,
      Consumer<String> log) {
    this.options = options;
    this.identity = identity;
    this.tun = tun;
    this.ifc = ifc;
    this.log = log;
    this.agent = new ClientAgent(options.agent(), options.dnsUpstream() != null);
    this.device =
        new WireGuardDevice(identity, TunnelClock.system(), WireGuardDevice.Config.defaults());
    this.gated = new GatedTunDevice(tun, this::gate);
    this.paths =
        new GatewayPaths(
            device,
            log,
            (candidates, gateways) -> {
              ControlChannel<ClientOutbound> ch = channel;
              if (ch == null
                  || !ch.send(
                      Envelope.of(
                          null, new ClientInbound.BroadcastIceCandidates(candidates, gateways)))) {
                log.accept("could not announce our candidates (not connected)");
              }
            });
    this.transport = new RelayedTransport(transport, paths, new SecureRandom());
    this.transport.authenticatedBy(device::authenticatedDatagrams);
    paths.attach(this.transport);
  }

  /** Brings the interface up, starts the tunnel and dials the API. */
  public ClientRuntime start() throws IOException {
    ifc.up(tun.name(), options.mtu());
    engine = new TunnelEngine(device, gated, transport, log).start();
    Map<String, String> join = new HashMap<>(options.channel().joinParams());
    join.put("public_key", StaticIdentity.encodeKey(identity.publicKey()));
    join.putIfAbsent("version", ControlChannel.VERSION);
    ControlChannel.Options ch =
        options
            .channel()
            .with(
                ControlChannel.withDefaultPath(options.channel().uri(), ControlChannel.CLIENT_PATH),
                join);
    channel = new ControlChannel<>(ch, Direction.CLIENT_OUTBOUND, new Listener()).start();
    timer.scheduleAtFixedRate(this::tick, 250, 250, TimeUnit.MILLISECONDS);
    if (options.statusFile() != null) {
      timer.scheduleAtFixedRate(this::writeStatus, 0, 1, TimeUnit.SECONDS);
    }
    return this;
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

  /**
   * Why the client cannot carry traffic yet, or null when it can: the control channel is up and the
   * API node's {@code init} has been applied (interface addresses and resource routes).
   */
  public String notReadyReason() {
    String channel = channelState;
    if (!channel.equals("connected")) {
      return "control channel " + channel;
    }
    return status().initialized() ? null : "waiting for the API node's init";
  }

  /** The agent's status (taken under the lock). */
  public ClientAgent.Status status() {
    synchronized (agent) {
      return agent.status();
    }
  }

  private boolean gate(byte[] buf, int off, int len) {
    ClientAgent.PacketDecision d;
    synchronized (agent) {
      d = agent.onPacket(buf, off, len, System.nanoTime());
      apply(d.commands());
    }
    return d.verdict() == ClientAgent.Verdict.FORWARD;
  }

  private void tick() {
    try {
      synchronized (agent) {
        Map<UUID, PeerProgress> progress = new HashMap<>();
        peers.forEach(
            (id, p) ->
                progress.put(
                    id, new PeerProgress(p.handshakesCompleted(), p.rxBytes(), p.txBytes())));
        apply(agent.tick(System.nanoTime(), progress));
      }
      paths.tick();
    } catch (RuntimeException e) {
      log.accept("tick failed: " + e);
    }
  }

  /** Caller holds the agent's lock. */
  private void apply(List<ClientCommand> commands) {
    for (ClientCommand c : commands) {
      try {
        switch (c) {
          case ClientCommand.ConfigureInterface ci ->
              ifc.setAddresses(tun.name(), ci.ipv4(), ci.ipv6());
          case ClientCommand.AddRoute r -> {
            ifc.addRoute(tun.name(), r.prefix());
            routes.add(r.prefix());
          }
          case ClientCommand.RemoveRoute r -> {
            ifc.removeRoute(tun.name(), r.prefix());
            routes.remove(r.prefix());
          }
          case ClientCommand.Send s -> {
            if (!channel.send(s.envelope())) {
              log.accept("could not send " + s.envelope().event() + " (not connected)");
            }
          }
          case ClientCommand.UpsertGatewayPeer u -> upsertPeer(u);
          case ClientCommand.RemoveGatewayPeer r -> {
            Peer p = peers.remove(r.gatewayId());
            upserted.remove(r.gatewayId());
            if (p != null) {
              device.removePeer(p);
            }
            paths.removed(r.gatewayId());
          }
          case ClientCommand.UseRelays u -> paths.useRelays(u.relays());
          case ClientCommand.GatewayCandidates g -> paths.candidates(g.gatewayId(), g.candidates());
          case ClientCommand.Deliver d -> gated.release(d.packets());
          case ClientCommand.WriteToTun w -> gated.write(w.packet(), 0, w.packet().length);
          case ClientCommand.ForwardDnsQuery f ->
              options
                  .dnsUpstream()
                  .forward(
                      f.query(),
                      answer -> {
                        synchronized (agent) {
                          apply(agent.onUpstreamDnsAnswer(f.replyTo(), answer, 0, answer.length));
                        }
                      });
          case ClientCommand.Report r -> log.accept(r.event() + ": " + r.detail());
        }
      } catch (IOException | RuntimeException e) {
        log.accept("command " + c.getClass().getSimpleName() + " failed: " + e.getMessage());
      }
    }
  }

  private void upsertPeer(ClientCommand.UpsertGatewayPeer u) {
    Peer old = peers.get(u.gatewayId());
    ClientCommand.UpsertGatewayPeer before = upserted.put(u.gatewayId(), u);
    if (old != null && before != null && samePeer(before, u)) {
      // Only the resources behind it changed: keep the session, no new handshake.
      device.setAllowedIps(old, u.allowedIps());
      return;
    }
    if (old != null) {
      device.removePeer(old); // another key, preshared key or endpoint: a new peer
    }
    PeerConfig pc =
        new PeerConfig(
            u.publicKey(),
            u.presharedKey(),
            u.allowedIps(),
            endpoint(u.endpoint()),
            options.persistentKeepalive(),
            null);
    Peer peer = device.addPeer(pc);
    peers.put(u.gatewayId(), peer);
    paths.added(u.gatewayId(), peer, pc.endpoint());
  }

  private static boolean samePeer(
      ClientCommand.UpsertGatewayPeer a, ClientCommand.UpsertGatewayPeer b) {
    return Arrays.equals(a.publicKey(), b.publicKey())
        && Arrays.equals(a.presharedKey(), b.presharedKey())
        && Objects.equals(a.endpoint(), b.endpoint());
  }

  /** Parses {@code host:port} or {@code [v6]:port}; resolves a host name. */
  public static InetSocketAddress endpoint(String text) {
    return HostPort.parse(text);
  }

  private void writeStatus() {
    try {
      Files.createDirectories(options.statusFile().toAbsolutePath().getParent());
      Path tmp = options.statusFile().resolveSibling(options.statusFile().getFileName() + ".tmp");
      Files.writeString(tmp, statusText(), StandardCharsets.UTF_8);
      Files.move(tmp, options.statusFile(), StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException | RuntimeException e) {
      log.accept("cannot write status file: " + e.getMessage());
    }
  }

  /** The status as {@code key: value} lines (what the {@code status} subcommand prints). */
  public String statusText() {
    ClientAgent.Status s = status();
    List<String> lines = new ArrayList<>();
    lines.add("time: " + Instant.now());
    lines.add("control_channel: " + channelState);
    lines.add("public_key: " + StaticIdentity.encodeKey(identity.publicKey()));
    lines.add("interface: " + tun.name() + " " + s.ipv4() + " " + s.ipv6());
    s.resources().forEach((id, r) -> lines.add("resource: " + id + " " + r));
    s.flows().forEach((id, f) -> lines.add("flow: " + id + " " + f));
    s.gateways().forEach((id, g) -> lines.add("gateway: " + id + " " + g));
    s.gateways().keySet().forEach(id -> lines.add("path: " + id + " " + paths.describe(id)));
    lines.add("relay_allocations_total: " + transport.allocationsMade());
    lines.add("relayed_bytes_sent_total: " + transport.relayedBytesOut());
    lines.add("relayed_bytes_received_total: " + transport.relayedBytesIn());
    lines.add("packets_held_total: " + s.packetsHeld());
    lines.add("packets_dropped_while_held_total: " + s.packetsDroppedWhileHolding());
    s.dnsNames().forEach((name, proxy) -> lines.add("dns_name: " + name + " " + proxy));
    lines.add("dns_queries_answered_total: " + s.dns().answered());
    lines.add("dns_queries_forwarded_total: " + s.dns().forwarded());
    lines.add("dns_queries_refused_total: " + s.dns().refused());
    lines.add("dns_packets_dropped_total: " + s.dns().dropped());
    return String.join("\n", lines) + "\n";
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
    synchronized (agent) {
      for (IpPrefix r : routes) {
        try {
          ifc.removeRoute(tun.name(), r);
        } catch (IOException e) {
          // the interface goes away with the TUN
        }
      }
    }
    if (engine != null) {
      engine.close();
    }
    if (options.dnsUpstream() != null) {
      options.dnsUpstream().close();
    }
    ended.complete(ControlChannel.End.CLOSED);
  }

  private final class Listener implements ControlChannel.Listener<ClientOutbound> {
    @Override
    public void onOpen() {
      channelState = "connected";
      log.accept("control channel connected to " + options.channel().uri());
    }

    @Override
    public void onMessage(Envelope<ClientOutbound> envelope) {
      synchronized (agent) {
        apply(agent.onMessage(envelope, System.nanoTime()));
      }
    }

    @Override
    public void onClosed(String reason) {
      channelState = "reconnecting (" + reason + ")";
      log.accept("control channel lost: " + reason);
    }

    @Override
    public void onEnd(ControlChannel.End end, String reason) {
      channelState = "ended " + end + " (" + reason + ")";
      log.accept("control channel ended: " + end + ": " + reason);
      ended.complete(end);
    }
  }
}
