package dev.gatehouse.apinode.channel;

import dev.gatehouse.apinode.bus.NodeMessage;
import dev.gatehouse.apinode.core.FlowRequest;
import dev.gatehouse.apinode.core.GatewaySession;
import dev.gatehouse.apinode.core.TunnelAddresses;
import dev.gatehouse.controlplane.cache.GatewayCache;
import dev.gatehouse.controlplane.cache.Version;
import dev.gatehouse.controlplane.cdc.Change;
import dev.gatehouse.controlplane.cdc.Row;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.ErrorReply;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Relay;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The channel of one connected gateway: runs its {@link GatewaySession}. */
public final class GatewayChannel extends PeerChannel {

  private final Joins.GatewayJoin join;
  private UUID gatewayId;
  private GatewaySession session;

  public GatewayChannel(NodeServices services, Joins.GatewayJoin join, ChannelTransport transport) {
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
            .upsertGateway(
                join.token().accountId(),
                join.token().siteId(),
                join.externalId(),
                join.name(),
                join.publicKey(),
                join.version());
    if (id.isEmpty()) {
      close("this gateway was deleted", false);
      return;
    }
    gatewayId = id.get();
    InterfaceAddresses iface = TunnelAddresses.of(services.store().addressIndex(gatewayId));
    services.hub().register(this);
    long floor = services.store().currentWalLsn();
    Instant now = services.clock().instant();
    List<Row.Flow> flows = services.store().loadGatewayFlows(gatewayId, now);
    GatewayCache cache =
        GatewayCache.fromFlows(
            gatewayId, Version.parseOrUnknown(join.version()), flows, now, services.reauthorizer());
    session = new GatewaySession(cache, floor, services.config().flowTimeout());
    services.metrics().gatewayChannels.incrementAndGet();
    // Visible to gateway selection from here on. Flow requests that arrive now queue behind this
    // task, so the gateway always gets init before any authorize_flow.
    services
        .store()
        .gatewayPresent(
            gatewayId, accountId(), join.token().siteId(), join.endpoint(), services.nodeId());
    List<Relay> relays = services.relays().forGateway(join.publicKey(), now);
    perform(GatewaySession.init(gatewayId, flows, iface, relays, now));
    keepRelaysFresh(relays, t -> services.relays().forGateway(join.publicKey(), t));
  }

  @Override
  protected void frame(String text, Instant now) throws Exception {
    switch (services.codec().decode(text, Direction.GATEWAY_INBOUND)) {
      case Decoded.Failed<GatewayInbound> f -> reject(f.error().ref(), f.error().toReply());
      case Decoded.Ok<GatewayInbound> ok -> {
        if (session == null) {
          reject(ok.envelope().ref(), new ErrorReply("out_of_turn", "the channel is not joined"));
          return;
        }
        perform(session.onMessage(ok.envelope(), now));
      }
    }
  }

  @Override
  protected void change(Change<?> change, Instant now) throws Exception {
    if (session != null && !isClosed()) {
      perform(session.onChange(change, now));
    }
  }

  /** A flow for this gateway, recorded by some node's client channel. */
  void authorize(FlowRequest request) {
    submit(
        () -> {
          if (session == null || isClosed()) {
            services
                .hub()
                .send(
                    request.clientNode(),
                    new NodeMessage.FlowAnswer(
                        request.clientId(), request.clientRef(), null, "offline"));
            return;
          }
          perform(session.authorize(request, services.clock().instant()));
        });
  }

  /** Candidates a client sent this gateway. */
  void candidatesFrom(UUID clientId, List<String> candidates) {
    submit(
        () -> {
          if (!isClosed()) {
            send(Envelope.of(null, new GatewayOutbound.IceCandidates(clientId, candidates)));
          }
        });
  }

  void prune() {
    submit(
        () -> {
          if (session != null && !isClosed()) {
            session.prune(services.clock().instant());
          }
        });
  }

  private void perform(List<GatewaySession.Action> actions) {
    for (GatewaySession.Action a : actions) {
      switch (a) {
        case GatewaySession.Action.Send s -> {
          if (s.envelope().payload() instanceof GatewayOutbound.RejectAccess) {
            services.metrics().revocationsSent.incrementAndGet();
          }
          send(s.envelope());
        }
        case GatewaySession.Action.FlowConfirmed c ->
            services
                .hub()
                .send(
                    c.request().clientNode(),
                    new NodeMessage.FlowAnswer(
                        c.request().clientId(),
                        c.request().clientRef(),
                        c.request().answer(),
                        null));
        case GatewaySession.Action.FlowRefused r ->
            services
                .hub()
                .send(
                    r.request().clientNode(),
                    new NodeMessage.FlowAnswer(
                        r.request().clientId(),
                        r.request().clientRef(),
                        null,
                        r.reason(),
                        r.detail()));
        case GatewaySession.Action.Close c -> close(c.reason(), false);
        case GatewaySession.Action.RelayCandidates rc ->
            services.hub().relayToClients(gatewayId, rc.clientIds(), rc.candidates());
      }
    }
  }

  @Override
  protected void cleanup() throws Exception {
    if (gatewayId != null) {
      if (session != null) {
        services.metrics().gatewayChannels.decrementAndGet();
      }
      services.hub().unregister(this);
      services.store().gatewayGone(gatewayId, services.nodeId());
    }
  }

  @Override
  protected String kind() {
    return "gateway";
  }

  public UUID gatewayId() {
    return gatewayId;
  }

  public GatewaySession session() {
    return session;
  }
}
