package dev.gatehouse.apinode.net;

import dev.gatehouse.apinode.channel.ChannelTransport;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;

/**
 * A WebSocket connection as a {@link ChannelTransport}. Frames are written from any thread (Netty
 * queues them onto the channel's event loop); each {@link TextWebSocketFrame} is released by the
 * encoder once written.
 */
final class NettyTransport implements ChannelTransport {

  private final Channel channel;
  private final String remoteIp;
  private volatile boolean closed;

  NettyTransport(Channel channel, String remoteIp) {
    this.channel = channel;
    this.remoteIp = remoteIp;
  }

  @Override
  public void send(String frame) {
    if (!closed && channel.isActive()) {
      channel.writeAndFlush(new TextWebSocketFrame(frame), channel.voidPromise());
    }
  }

  @Override
  public void close(String reason) {
    if (closed) {
      return;
    }
    closed = true;
    if (!channel.isActive() || channel.eventLoop().isShuttingDown()) {
      channel.close();
      return;
    }
    String r = reason.length() > 120 ? reason.substring(0, 120) : reason;
    channel
        .writeAndFlush(new CloseWebSocketFrame(4000, r))
        .addListener(ChannelFutureListener.CLOSE);
  }

  @Override
  public String remoteIp() {
    return remoteIp;
  }
}
