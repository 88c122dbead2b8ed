package dev.gatehouse.apinode.net;

import dev.gatehouse.apinode.admin.AdminApi;
import dev.gatehouse.apinode.channel.NodeServices;
import dev.gatehouse.apinode.core.NodeReadiness;
import dev.gatehouse.apinode.store.TokenStore;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The node's listener (epoll when available, NIO otherwise): HTTP/1.1 with WebSocket upgrade,
 * behind TLS when given a {@link ServerTls} (then plain requests get a 400 naming wss://; see
 * {@link TlsOnlyHandler}). Connections silent for {@link #IDLE_SECONDS} are closed; peers keep them
 * alive with WebSocket pings.
 */
public final class WebSocketServer implements AutoCloseable {

  static final int IDLE_SECONDS = 120;

  private final EventLoopGroup group;
  private final boolean epoll;
  private Channel server;

  public WebSocketServer(int threads) {
    epoll = Epoll.isAvailable();
    group = epoll ? new EpollEventLoopGroup(threads) : new NioEventLoopGroup(threads);
  }

  /** Binds and returns the bound port (useful with port 0); {@code tls} null serves plain text. */
  public int start(
      String host,
      int port,
      ServerTls tls,
      NodeServices services,
      TokenStore tokens,
      AdminApi admin,
      Supplier<NodeReadiness> readiness)
      throws InterruptedException {
    ServerBootstrap b =
        new ServerBootstrap()
            .group(group)
            .channel(epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class)
            .option(ChannelOption.SO_BACKLOG, 4096)
            .childHandler(
                new ChannelInitializer<SocketChannel>() {
                  @Override
                  protected void initChannel(SocketChannel ch) {
                    if (tls != null) {
                      ch.pipeline().addLast("tls-or-refuse", tls.newHandler());
                    }
                    ch.pipeline()
                        .addLast(new IdleStateHandler(IDLE_SECONDS, 0, 0))
                        .addLast(new HttpServerCodec())
                        .addLast(new HttpObjectAggregator(64 * 1024))
                        .addLast("entry", new HttpEntryHandler(services, tokens, admin, readiness));
                  }
                });
    server = b.bind(host, port).sync().channel();
    return ((InetSocketAddress) server.localAddress()).getPort();
  }

  @Override
  public void close() {
    if (server != null) {
      server.close().syncUninterruptibly();
    }
    group.shutdownGracefully(0, 500, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }
}
