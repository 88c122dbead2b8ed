package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.bus.NodeMessage;
import dev.gatehouse.apinode.core.ClientSession;
import dev.gatehouse.apinode.core.FlowKeys;
import dev.gatehouse.apinode.core.FlowRequest;
import dev.gatehouse.apinode.core.GatewaySelection;
import dev.gatehouse.apinode.core.TunnelAddresses;
import dev.gatehouse.apinode.core.Views;
import dev.gatehouse.controlplane.cache.ClientCache;
import dev.gatehouse.controlplane.cache.ClientContext;
import dev.gatehouse.controlplane.cache.ClientSnapshot;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.IceCredentials;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Relay;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The channel of one connected client: runs its {@link ClientSession} and carries out actions. */
public final class ClientChannel extends PeerChannel {

  private final Joins.ClientJoin join;
  private UUID clientId;
  private InterfaceAddresses iface;
  private ClientSession session;

  public ClientChannel(NodeServices services, Joins.ClientJoin join, ChannelTransport transport) {
    super(
        services,
        transport,
        join.token().accountId(),
        join.token().tokenId(),
        join.token().expiresAt());
    this.join = join;
  }

  @Override
  protected void join() throws Exception {
    Optional<UUID> id =
        services
            .store()
            .upsertClient(
                join.token().accountId(),
                join.token().actorId(),
                join.externalId(),
                join.name(),
                join.publicKey(),
                join.version(),
                join.remoteIp());
    if (id.isEmpty()) {
      close("this device was deleted", false);
      return;
    }
    clientId = id.get();
    iface = TunnelAddresses.of(services.store().addressIndex(clientId));
    services.hub().register(this);
    services.store().clientPresent(clientId, services.nodeId());
    long floor = services.store().currentWalLsn();
    Optional<ClientSnapshot> snapshot =
        services.store().loadClient(clientId, join.token().expiresAt());
    if (snapshot.isEmpty()) {
      close("this device was deleted", false);
      return;
    }
    Instant now = services.clock().instant();
    ClientCache cache =
        ClientCache.fromSnapshot(snapshot.get(), ClientContext.ipOrNull(join.remoteIp()), now);
    session = new ClientSession(cache, iface, floor, services.config().flowTimeout());
    services.metrics().clientChannels.incrementAndGet();
    List<Relay> relays =
        services.relays().forClient(join.publicKey(), join.token().expiresAt(), now);
    perform(session.init(relays), now);
    keepRelaysFresh(
        relays, t -> services.relays().forClient(join.publicKey(), join.token().expiresAt(), t));
  }

  @Override
  protected void frame(String text, Instant now) throws Exception {
    switch (services.codec().decode(text, Direction.CLIENT_INBOUND)) {
      case Decoded.Failed<ClientInbound> f -> reject(f.error().ref(), f.error().toReply());
      case Decoded.Ok<ClientInbound> ok -> {
        if (session == null) {
          reject(
              ok.envelope().ref(),
              new dev.gatehouse.protocol.ErrorReply("out_of_turn", "the channel is not joined"));
          return;
        }
        perform(session.onMessage(ok.envelope(), now), now);
      }
    }
  }

  @Override
  protected void change(Change<?> change, Instant now) throws Exception {
    if (session != null && !isClosed()) {
      perform(session.onChange(change, now), now);
    }
  }

  /** Periodic re-evaluation of time-based conditions. */
  void recompute() {
    submit(
        () -> {
          if (session != null && !isClosed()) {
            perform(session.recompute(services.clock().instant()), services.clock().instant());
          }
        });
  }

  /** The answer to one of this client's flow requests. */
  void onFlowAnswer(String ref, ClientOutbound.FlowCreated created, String failure, String detail) {
    submit(
        () -> {
          if (session != null) {
            if (created != null) {
              services.metrics().flowsCreated.incrementAndGet();
            }
            perform(
                session.onFlowAnswer(ref, created, failure, detail), services.clock().instant());
          }
        });
  }

  /** Candidates a gateway sent this client. */
  void candidatesFrom(UUID gatewayId, List<String> candidates) {
    submit(
        () -> {
          if (!isClosed()) {
            send(
                dev.gatehouse.protocol.Envelope.of(
                    null, new ClientOutbound.IceCandidates(gatewayId, candidates)));
          }
        });
  }

  private void perform(List<ClientSession.Action> actions, Instant now) throws Exception {
    for (ClientSession.Action a : actions) {
      switch (a) {
        case ClientSession.Action.Send s -> {
          if (s.envelope().payload() instanceof ClientOutbound.FlowCreationFailed) {
            services.metrics().flowsFailed.incrementAndGet();
          }
          send(s.envelope());
        }
        case ClientSession.Action.SetupFlow f -> setupFlow(f, now);
        case ClientSession.Action.LoadResource r -> {
          var loaded = services.store().loadResource(r.resourceId());
          if (loaded.isPresent()) {
            perform(
                session.onResourceLoaded(loaded.get().resource(), loaded.get().siteIds(), now),
                now);
          }
        }
        case ClientSession.Action.Rehydrate h -> {
          var snapshot = services.store().loadClient(clientId, join.token().expiresAt());
          if (snapshot.isPresent()) {
            perform(session.onHydrated(snapshot.get(), now), now);
          } else {
            close("this device was deleted", false);
          }
        }
        case ClientSession.Action.Close c -> close(c.reason(), false);
        case ClientSession.Action.RelayCandidates rc ->
            services.hub().relayToGateways(clientId, rc.gatewayIds(), rc.candidates());
      }
    }
  }

  private void setupFlow(ClientSession.Action.SetupFlow f, Instant now) throws Exception {
    services.metrics().flowsRequested.incrementAndGet();
    var resource = f.resource();
    Version version = session.cache().context().version();
    List<GatewaySelection.Candidate> online =
        services.store().onlineGateways(accountId(), resource.siteIds());
    Optional<GatewaySelection.Candidate> chosen =
        GatewaySelection.select(
            online, version, resource.type(), resource.address(), f.connectedGatewayIds());
    if (chosen.isEmpty()) {
      perform(session.onFlowAnswer(f.ref(), null, ClientOutbound.FlowCreationFailed.OFFLINE), now);
      return;
    }
    GatewaySelection.Candidate gw = chosen.get();
    Instant cap = now.plus(services.config().maxFlowLifetime());
    Instant expiresAt =
        f.allowed().expiresAt() == null || f.allowed().expiresAt().isAfter(cap)
            ? cap
            : f.allowed().expiresAt();
    UUID flowId = UUID.randomUUID();
    services
        .store()
        .insertFlow(
            flowId,
            accountId(),
            clientId,
            gw.gatewayId(),
            resource.id(),
            f.allowed().policyId(),
            tokenId(),
            expiresAt);
    String psk =
        services.keys().presharedKey(clientId, join.publicKey(), gw.gatewayId(), gw.publicKey());
    IceCredentials[] ice =
        FlowKeys.iceCredentials(clientId, join.publicKey(), gw.gatewayId(), gw.publicKey());
    ClientOutbound.FlowCreated answer =
        new ClientOutbound.FlowCreated(
            resource.id(),
            flowId,
            psk,
            gw.siteId(),
            gw.gatewayId(),
            gw.publicKey(),
            gw.ipv4(),
            gw.ipv6(),
            gw.endpoint(),
            ice[0],
            ice[1],
            Views.unixSeconds(expiresAt));
    FlowRequest request =
        new FlowRequest(
            flowId,
            services.nodeId(),
            f.ref(),
            clientId,
            gw.gatewayId(),
            Views.describe(resource),
            new GatewayOutbound.ClientPeer(
                clientId, join.publicKey(), psk, iface.ipv4(), iface.ipv6()),
            ice[0],
            ice[1],
            expiresAt.toEpochMilli(),
            answer,
            f.domain());
    services.hub().send(gw.nodeId(), new NodeMessage.AuthorizeFlow(request));
    long wait = services.config().flowTimeout().toMillis() + 5;
    later(
        () -> {
          Instant t = services.clock().instant();
          perform(session.expire(t), t);
        },
        wait);
  }

  @Override
  protected void cleanup() throws Exception {
    if (clientId != null) {
      if (session != null) {
        services.metrics().clientChannels.decrementAndGet();
      }
      services.hub().unregister(this);
      services.store().clientGone(clientId, services.nodeId());
    }
  }

  @Override
  protected String kind() {
    return "client";
  }

  /** The actor (person or service account) whose token opened the channel. */
  public UUID actorId() {
    return join.token().actorId();
  }

  /** Null until joined. */
  public UUID clientId() {
    return clientId;
  }

  /** Null until joined; read only from the channel's own tasks or for diagnostics. */
  public ClientSession session() {
    return session;
  }
}
