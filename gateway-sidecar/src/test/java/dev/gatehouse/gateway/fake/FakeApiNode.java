package dev.gatehouse.gateway.fake;

import dev.gatehouse.protocol.ClientInbound;
import dev.gatehouse.protocol.ClientOutbound;
import dev.gatehouse.protocol.ControlCodec;
import dev.gatehouse.protocol.Decoded;
import dev.gatehouse.protocol.Direction;
import dev.gatehouse.protocol.Envelope;
import dev.gatehouse.protocol.GatewayInbound;
import dev.gatehouse.protocol.GatewayOutbound;
import dev.gatehouse.protocol.InterfaceAddresses;
import dev.gatehouse.protocol.Message;
import dev.gatehouse.protocol.Relay;
import dev.gatehouse.protocol.ResourceDescription;
import dev.gatehouse.tunnel.wireguard.StaticIdentity;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolConfig;
import io.netty.handler.codec.http.websocketx.WebSocketServerProtocolHandler;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A fake API node for tests: a Netty WebSocket server speaking the control protocol through {@link
 * ControlCodec}, joined like the real one (apinode's {@code HttpEntryHandler}): gateways at {@code
 * /gateway/websocket}, clients at {@code /client/websocket}, with {@code Authorization: Bearer
 * <token>} and {@code external_id}, {@code public_key}, {@code version} (and a gateway's {@code
 * endpoint}) in the query string; 404 for other paths, 400 without those, 401 for a bad token. It
 * sends {@code init} on join, answers {@code create_flow} by sending {@code authorize_flow} to the
 * connected gateways in turn (round robin, in join order) and {@code flow_created} after {@code
 * flow_authorized}, and lets the test push anything else ({@link #rejectAccess}, ...). All state
 * lives on one event-loop thread.
 */
public final class FakeApiNode implements AutoCloseable {

  /** Who a token belongs to. */
  public record Identity(boolean gateway, UUID id) {}

  private record Conn(Channel channel, Identity who, String publicKey, String endpoint) {}

  private record Pending(
      Conn client, String clientRef, UUID resourceId, Conn gateway, UUID flowId) {}

  private static final AttributeKey<Conn> CONN = AttributeKey.valueOf("conn");

  private final ControlCodec codec = new ControlCodec();
  private final EventLoopGroup group = new NioEventLoopGroup(1);
  private final Map<String, Identity> tokens = new HashMap<>();
  private final Map<UUID, ResourceDescription> resources = new LinkedHashMap<>();
  private final Map<UUID, Conn> gateways = new LinkedHashMap<>();
  private final Map<UUID, Conn> clients = new LinkedHashMap<>();
  // Every joined channel: one identity may hold several (the maps keep the latest of each).
  private final List<Conn> open = new ArrayList<>();
  private final Map<UUID, Integer> addressIndex = new HashMap<>();
  private final Map<String, Pending> pending = new HashMap<>();
  private final Map<String, String> psks = new HashMap<>();
  private final List<GatewayOutbound.Authorization> authorizations = new ArrayList<>();
  private final List<String> events = new CopyOnWriteArrayList<>();
  private final SecureRandom random = new SecureRandom();
  private final Consumer<String> log;
  private Channel server;
  private int nextRef = 1;
  private int roundRobin;
  private int nextAddress = 2;

  public FakeApiNode(Consumer<String> log) {
    this.log = log;
  }

  private volatile List<Relay> relays = List.of();
  private volatile boolean forwardClientCandidates = true;

  /** Whether clients' {@code broadcast_ice_candidates} reach the gateways (default true). */
  public FakeApiNode forwardClientCandidates(boolean forward) {
    this.forwardClientCandidates = forward;
    return this;
  }

  public FakeApiNode token(String token, Identity who) {
    tokens.put(token, who);
    return this;
  }

  /** Relays every {@code init} names (one set of credentials for everyone: a fake). */
  public FakeApiNode relays(List<Relay> relays) {
    this.relays = List.copyOf(relays);
    return this;
  }

  public FakeApiNode resource(ResourceDescription r) {
    call(() -> resources.put(r.id(), r));
    return this;
  }

  /** Binds and serves; returns the bound address. */
  public InetSocketAddress start(InetSocketAddress bind) throws InterruptedException {
    server =
        new ServerBootstrap()
            .group(group)
            .channel(NioServerSocketChannel.class)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    ch.pipeline()
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(65536))
                        .addLast(new Join())
                        .addLast(
                            new WebSocketServerProtocolHandler(
                                WebSocketServerProtocolConfig.newBuilder()
                                    .websocketPath("/")
                                    .checkStartsWith(true)
                                    .maxFramePayloadLength(ControlCodec.MAX_FRAME_CHARS * 4)
                                    .build()))
                        .addLast(new Frames());
                  }
                })
            .bind(bind)
            .sync()
            .channel();
    return (InetSocketAddress) server.localAddress();
  }

  /**
   * Events seen so far, e.g. {@code gateway_joined}, {@code flow_authorized}, {@code create_flow}.
   */
  public List<String> events() {
    return List.copyOf(events);
  }

  /** The id-derived tunnel address of a client or gateway ({@code 100.64.0.n}). */
  public InterfaceAddresses addressesOf(UUID id) {
    int n = addressIndex.computeIfAbsent(id, k -> id.equals(firstGatewayId()) ? 1 : nextAddress++);
    return new InterfaceAddresses("100.64.0." + n, "fd00:2021:1111::" + Integer.toHexString(n));
  }

  private UUID firstGatewayId() {
    for (Identity i : tokens.values()) {
      if (i.gateway()) {
        return i.id();
      }
    }
    return null;
  }

  /** Pushes {@code reject_access} to every gateway and forgets the authorization. */
  public void rejectAccess(UUID clientId, UUID resourceId) {
    call(
        () -> {
          authorizations.removeIf(
              a -> a.clientId().equals(clientId) && a.resourceId().equals(resourceId));
          for (Conn g : gateways.values()) {
            send(g, Envelope.of(null, new GatewayOutbound.RejectAccess(clientId, resourceId)));
          }
          return null;
        });
  }

  /** Pushes any message to every connected gateway. */
  public void toGateways(GatewayOutbound message) {
    call(
        () -> {
          gateways.values().forEach(g -> send(g, Envelope.of(null, message)));
          return null;
        });
  }

  /** Pushes any message to every connected client. */
  public void toClients(ClientOutbound message) {
    call(
        () -> {
          clients.values().forEach(c -> send(c, Envelope.of(null, message)));
          return null;
        });
  }

  /**
   * Stops reading from every open channel without closing it, like a half-open TCP connection:
   * pings go unanswered. New channels are served normally.
   */
  public void goSilent() {
    call(
        () -> {
          open.forEach(c -> c.channel().config().setAutoRead(false));
          return null;
        });
  }

  /** Closes every channel (the peers should reconnect). */
  public void dropConnections() {
    call(
        () -> {
          List.copyOf(open).forEach(c -> c.channel().close());
          return null;
        });
  }

  public int connectedGateways() {
    return call(gateways::size);
  }

  public int connectedClients() {
    return call(clients::size);
  }

  private <T> T call(Callable<T> c) {
    try {
      return group.next().submit(c).get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private void event(String e) {
    events.add(e);
    log.accept("fake-api: " + e);
  }

  private void send(Conn to, Envelope<? extends Message> envelope) {
    to.channel().writeAndFlush(new TextWebSocketFrame(codec.encode(envelope)));
  }

  private void joined(Conn c) {
    open.add(c);
    if (c.who().gateway()) {
      gateways.put(c.who().id(), c);
      event("gateway_joined " + c.who().id());
      List<GatewayOutbound.Authorization> mine = List.copyOf(authorizations);
      send(
          c,
          Envelope.of(
              null,
              new GatewayOutbound.Init(
                  c.who().id(), mine, addressesOf(c.who().id()), null, relays)));
    } else {
      clients.put(c.who().id(), c);
      event("client_joined " + c.who().id());
      send(
          c,
          Envelope.of(
              null,
              new ClientOutbound.Init(
                  c.who().id(),
                  List.copyOf(resources.values()),
                  addressesOf(c.who().id()),
                  relays)));
    }
  }

  private void left(Conn c) {
    open.remove(c);
    if (c.who().gateway()) {
      gateways.remove(c.who().id(), c);
    } else {
      clients.remove(c.who().id(), c);
    }
    event((c.who().gateway() ? "gateway_left " : "client_left ") + c.who().id());
  }

  private void fromClient(Conn c, Envelope<ClientInbound> e) {
    event(e.event());
    if (e.payload() instanceof ClientInbound.BroadcastIceCandidates b) {
      if (!forwardClientCandidates) {
        return;
      }
      for (UUID id : b.gatewayIds()) {
        Conn g = gateways.get(id);
        if (g != null) {
          send(
              g,
              Envelope.of(null, new GatewayOutbound.IceCandidates(c.who().id(), b.candidates())));
        }
      }
      return;
    }
    if (!(e.payload() instanceof ClientInbound.CreateFlow cf)) {
      return;
    }
    ResourceDescription r = resources.get(cf.resourceId());
    if (r == null) {
      send(
          c,
          Envelope.of(
              e.ref(),
              new ClientOutbound.FlowCreationFailed(
                  cf.resourceId(), ClientOutbound.FlowCreationFailed.NOT_FOUND, List.of())));
      return;
    }
    List<Conn> online = List.copyOf(gateways.values());
    Conn g = online.isEmpty() ? null : online.get(roundRobin++ % online.size());
    if (g == null) {
      send(
          c,
          Envelope.of(
              e.ref(),
              new ClientOutbound.FlowCreationFailed(
                  cf.resourceId(), ClientOutbound.FlowCreationFailed.OFFLINE, List.of())));
      return;
    }
    String ref = "af-" + nextRef++;
    UUID flowId = UUID.randomUUID();
    pending.put(ref, new Pending(c, e.ref(), r.id(), g, flowId));
    InterfaceAddresses ca = addressesOf(c.who().id());
    send(
        g,
        Envelope.of(
            null,
            new GatewayOutbound.AuthorizeFlow(
                ref,
                flowId,
                r,
                new GatewayOutbound.ClientPeer(
                    c.who().id(), c.publicKey(), psk(c, g), ca.ipv4(), ca.ipv6()),
                null,
                null,
                Instant.now().getEpochSecond() + 3600)));
  }

  private String psk(Conn client, Conn gateway) {
    return psks.computeIfAbsent(
        client.who().id() + "/" + gateway.who().id(),
        k -> {
          byte[] b = new byte[32];
          random.nextBytes(b);
          return StaticIdentity.encodeKey(b);
        });
  }

  private void fromGateway(Conn g, Envelope<GatewayInbound> e) {
    event(e.event());
    if (e.payload() instanceof GatewayInbound.BroadcastIceCandidates b) {
      for (UUID id : b.clientIds()) {
        Conn c = clients.get(id);
        if (c != null) {
          send(
              c, Envelope.of(null, new ClientOutbound.IceCandidates(g.who().id(), b.candidates())));
        }
      }
      return;
    }
    if (!(e.payload() instanceof GatewayInbound.FlowAuthorized fa)) {
      return;
    }
    Pending p = pending.remove(fa.ref());
    if (p == null) {
      return;
    }
    authorizations.add(
        new GatewayOutbound.Authorization(
            p.client().who().id(), p.resourceId(), Instant.now().getEpochSecond() + 3600));
    InterfaceAddresses ga = addressesOf(g.who().id());
    send(
        p.client(),
        Envelope.of(
            p.clientRef(),
            new ClientOutbound.FlowCreated(
                p.resourceId(),
                p.flowId(),
                psk(p.client(), g),
                UUID.randomUUID(),
                g.who().id(),
                g.publicKey(),
                ga.ipv4(),
                ga.ipv6(),
                g.endpoint(),
                null,
                null,
                Instant.now().getEpochSecond() + 3600)));
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
  }

  /** Authenticates the upgrade request and remembers who joined. */
  private final class Join extends SimpleChannelInboundHandler<FullHttpRequest> {
    Join() {
      super(false);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
      QueryStringDecoder q = new QueryStringDecoder(req.uri());
      String auth = req.headers().get(HttpHeaderNames.AUTHORIZATION, "");
      Identity who = auth.startsWith("Bearer ") ? tokens.get(auth.substring(7)) : null;
      boolean gatewayPath = q.path().equals("/gateway/websocket");
      boolean clientPath = q.path().equals("/client/websocket");
      if (!gatewayPath && !clientPath) {
        reply(ctx, req, HttpResponseStatus.NOT_FOUND, "no such path " + q.path());
        return;
      }
      for (String p : List.of("external_id", "public_key", "version")) {
        if (!q.parameters().containsKey(p)) {
          reply(ctx, req, HttpResponseStatus.BAD_REQUEST, "missing " + p);
          return;
        }
      }
      if (who == null || who.gateway() != gatewayPath) {
        reply(ctx, req, HttpResponseStatus.UNAUTHORIZED, "bad token for " + q.path());
        return;
      }
      event("join " + q.path() + " external_id=" + q.parameters().get("external_id").getFirst());
      String endpoint =
          q.parameters().containsKey("endpoint") ? q.parameters().get("endpoint").getFirst() : null;
      ctx.channel()
          .attr(CONN)
          .set(new Conn(ctx.channel(), who, q.parameters().get("public_key").getFirst(), endpoint));
      ctx.fireChannelRead(req);
    }
  }

  private void reply(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String why) {
    req.release();
    event("refused " + status.code() + " " + why);
    ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Decodes frames of joined peers. */
  private final class Frames extends SimpleChannelInboundHandler<TextWebSocketFrame> {
    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
      if (evt instanceof WebSocketServerProtocolHandler.HandshakeComplete) {
        joined(ctx.channel().attr(CONN).get());
      }
      super.userEventTriggered(ctx, evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) throws Exception {
      Conn c = ctx.channel().attr(CONN).get();
      if (c != null) {
        left(c);
      }
      super.channelInactive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, TextWebSocketFrame frame) {
      Conn c = ctx.channel().attr(CONN).get();
      if (c.who().gateway()) {
        switch (codec.decode(frame.text(), Direction.GATEWAY_INBOUND)) {
          case Decoded.Ok<GatewayInbound> ok -> fromGateway(c, ok.envelope());
          case Decoded.Failed<GatewayInbound> f -> event("bad_frame " + f.error());
        }
      } else {
        switch (codec.decode(frame.text(), Direction.CLIENT_INBOUND)) {
          case Decoded.Ok<ClientInbound> ok -> fromClient(c, ok.envelope());
          case Decoded.Failed<ClientInbound> f -> event("bad_frame " + f.error());
        }
      }
    }
  }
}
