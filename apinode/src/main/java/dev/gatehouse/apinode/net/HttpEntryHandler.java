package dev.gatehouse.apinode.net;

import dev.gatehouse.apinode.admin.AdminApi;
import dev.gatehouse.apinode.channel.ClientChannel;
import dev.gatehouse.apinode.channel.GatewayChannel;
import dev.gatehouse.apinode.channel.Joins;
import dev.gatehouse.apinode.channel.NodeServices;
import dev.gatehouse.apinode.channel.PeerChannel;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.apinode.store.TokenStore;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of every connection: routes plain HTTP requests (health, admin) and WebSocket
 * joins. A join's token is checked on a virtual thread; a refused join is answered with 400, 401 or
 * 403 and a JSON body {@code {"error","detail"}}; an accepted one is upgraded and this handler is
 * replaced by a {@link WebSocketFrameHandler}. The request is retained while the check runs and
 * released exactly once afterwards.
 */
final class HttpEntryHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

  private static final Logger LOG = LoggerFactory.getLogger(HttpEntryHandler.class);
  static final int MAX_FRAME_BYTES = 128 * 1024;

  private final NodeServices services;
  private final TokenStore tokens;
  private final AdminApi admin;
  private final Supplier<NodeReadiness> readiness;

  HttpEntryHandler(
      NodeServices services, TokenStore tokens, AdminApi admin, Supplier<NodeReadiness> readiness) {
    super(
        false); // released explicitly: the request outlives channelRead0 while the token is checked
    this.services = services;
    this.tokens = tokens;
    this.admin = admin;
    this.readiness = readiness;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest req) {
    QueryStringDecoder q = new QueryStringDecoder(req.uri());
    String path = q.path();
    if (path.equals("/healthz")) {
      respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"ok\"}");
    } else if (path.equals("/readyz")) {
      NodeReadiness r = readiness.get();
      if (r.ready()) {
        respond(ctx, req, HttpResponseStatus.OK, "{\"status\":\"ready\"}");
      } else {
        error(ctx, req, HttpResponseStatus.SERVICE_UNAVAILABLE, "not_ready", r.reason());
      }
    } else if (path.startsWith("/admin/") && admin != null) {
      String body = req.content().toString(StandardCharsets.UTF_8);
      String method = req.method().name();
      String bearer = bearer(req);
      services
          .tasks()
          .execute(
              () -> {
                AdminApi.Response r = admin.handle(method, path, bearer, body);
                ctx.executor()
                    .execute(
                        () -> respond(ctx, req, HttpResponseStatus.valueOf(r.status()), r.json()));
              });
    } else if (path.equals("/client/websocket") || path.equals("/gateway/websocket")) {
      join(ctx, req, q.parameters(), path.startsWith("/client"));
    } else {
      error(ctx, req, HttpResponseStatus.NOT_FOUND, "not_found", "no such path " + path);
    }
  }

  private void join(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      Map<String, List<String>> params,
      boolean client) {
    String externalId = param(params, "external_id");
    String publicKey = param(params, "public_key");
    String version = param(params, "version");
    String missing =
        externalId == null
            ? "external_id"
            : publicKey == null ? "public_key" : version == null ? "version" : null;
    if (missing != null) {
      error(
          ctx,
          req,
          HttpResponseStatus.BAD_REQUEST,
          "bad_request",
          "missing query parameter " + missing);
      return;
    }
    String name = param(params, "name") == null ? externalId : param(params, "name");
    String endpoint = param(params, "endpoint");
    String bearer = bearer(req);
    String remoteIp =
        ctx.channel().remoteAddress() instanceof InetSocketAddress a
            ? a.getAddress().getHostAddress()
            : null;
    services
        .tasks()
        .execute(
            () -> {
              TokenStore.Check check;
              try {
                check =
                    tokens.check(bearer, client ? "client" : "site", services.clock().instant());
              } catch (Exception e) {
                LOG.warn("token check failed", e);
                check =
                    new TokenStore.Check.Refused(
                        "unavailable", "the control plane database is unavailable");
              }
              TokenStore.Check result = check;
              ctx.executor()
                  .execute(
                      () -> {
                        switch (result) {
                          case TokenStore.Check.Refused r -> {
                            services.metrics().refusedJoins.incrementAndGet();
                            HttpResponseStatus status =
                                switch (r.reason()) {
                                  case "wrong_token_type" -> HttpResponseStatus.FORBIDDEN;
                                  case "unavailable" -> HttpResponseStatus.SERVICE_UNAVAILABLE;
                                  default -> HttpResponseStatus.UNAUTHORIZED;
                                };
                            error(ctx, req, status, r.reason(), r.detail());
                          }
                          case TokenStore.Check.Valid v -> {
                            PeerChannel channel =
                                client
                                    ? new ClientChannel(
                                        services,
                                        new Joins.ClientJoin(
                                            v.token(),
                                            externalId,
                                            name,
                                            publicKey,
                                            version,
                                            remoteIp),
                                        new NettyTransport(ctx.channel(), remoteIp))
                                    : new GatewayChannel(
                                        services,
                                        new Joins.GatewayJoin(
                                            v.token(),
                                            externalId,
                                            name,
                                            publicKey,
                                            version,
                                            endpoint),
                                        new NettyTransport(ctx.channel(), remoteIp));
                            upgrade(ctx, req, channel);
                          }
                        }
                      });
            });
  }

  private void upgrade(ChannelHandlerContext ctx, FullHttpRequest req, PeerChannel channel) {
    try {
      String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + req.uri();
      WebSocketServerHandshaker hs =
          new WebSocketServerHandshakerFactory(url, null, false, MAX_FRAME_BYTES)
              .newHandshaker(req);
      if (hs == null) {
        WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
        return;
      }
      ctx.pipeline().addAfter(ctx.name(), "ws-frames", new WebSocketFrameHandler(hs, channel));
      ctx.pipeline()
          .addBefore("ws-frames", "ws-aggregator", new WebSocketFrameAggregator(MAX_FRAME_BYTES));
      ctx.pipeline().remove(this);
      hs.handshake(ctx.channel(), req)
          .addListener(
              f -> {
                if (f.isSuccess()) {
                  channel.start();
                } else {
                  ctx.close();
                }
              });
    } finally {
      req.release();
    }
  }

  private static String param(Map<String, List<String>> params, String name) {
    List<String> v = params.get(name);
    return v == null || v.isEmpty() || v.getFirst().isBlank() ? null : v.getFirst();
  }

  private static String bearer(FullHttpRequest req) {
    String h = req.headers().get(HttpHeaderNames.AUTHORIZATION);
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return null;
    }
    return h.substring(7).strip();
  }

  private void error(
      ChannelHandlerContext ctx,
      FullHttpRequest req,
      HttpResponseStatus status,
      String error,
      String detail) {
    String body =
        "{\"error\":\""
            + error
            + "\",\"detail\":\""
            + detail.replace("\\", "\\\\").replace("\"", "\\\"")
            + "\"}";
    respond(ctx, req, status, body);
  }

  /** Writes a JSON response, closes the connection, and releases the request. */
  private static void respond(
      ChannelHandlerContext ctx, FullHttpRequest req, HttpResponseStatus status, String json) {
    try {
      FullHttpResponse res =
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1,
              status,
              json.isEmpty()
                  ? Unpooled.EMPTY_BUFFER
                  : Unpooled.copiedBuffer(json, StandardCharsets.UTF_8));
      res.headers()
          .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
          .setInt(HttpHeaderNames.CONTENT_LENGTH, res.content().readableBytes())
          .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(res).addListener(ChannelFutureListener.CLOSE);
    } finally {
      req.release();
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
