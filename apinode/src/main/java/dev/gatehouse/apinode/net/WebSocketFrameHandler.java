package dev.gatehouse.apinode.net;

import dev.gatehouse.apinode.channel.PeerChannel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.timeout.IdleStateEvent;

/**
 * Hands the frames of one upgraded connection to its channel. Owns nothing: every inbound frame is
 * released by {@link SimpleChannelInboundHandler} after this returns (text is copied out first; a
 * close frame is retained for the handshaker, which releases it).
 */
final class WebSocketFrameHandler extends SimpleChannelInboundHandler<WebSocketFrame> {

  private final WebSocketServerHandshaker handshaker;
  private final PeerChannel channel;

  WebSocketFrameHandler(WebSocketServerHandshaker handshaker, PeerChannel channel) {
    this.handshaker = handshaker;
    this.channel = channel;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, WebSocketFrame frame) {
    switch (frame) {
      case TextWebSocketFrame t -> channel.onFrame(t.text());
      case PingWebSocketFrame p ->
          ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()), ctx.voidPromise());
      case PongWebSocketFrame p -> {}
      case CloseWebSocketFrame c -> handshaker.close(ctx.channel(), c.retain());
      case BinaryWebSocketFrame b -> channel.onBinaryFrame();
      default -> channel.onBinaryFrame();
    }
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof IdleStateEvent) {
      channel.disconnect("no traffic for too long (send WebSocket pings)");
    } else {
      super.userEventTriggered(ctx, evt);
    }
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    channel.onTransportClosed();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
