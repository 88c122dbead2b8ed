package dev.gatehouse.relay.server;

import dev.gatehouse.relay.RelayCredentials;
import dev.gatehouse.relay.turn.Allocations;
import dev.gatehouse.relay.turn.FiveTuple;
import dev.gatehouse.relay.turn.RelayAction;
import dev.gatehouse.relay.turn.RelayMetrics;
import dev.gatehouse.relay.turn.TurnConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.InstantSource;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.random.RandomGenerator;

/**
 * The UDP edge of the relay on Netty: one listening socket for clients and one socket per
 * allocation for its relayed transport address, all on a single event loop that owns the {@link
 * Allocations} core. Handlers only copy datagrams in, call the core with {@link System#nanoTime()},
 * and carry out the returned {@link RelayAction}s; writes are flushed in {@code
 * channelReadComplete} (or after a timer tick or a bind completes).
 *
 * <p><b>ByteBuf ownership.</b> Inbound {@link DatagramPacket}s belong to their handler: the content
 * is copied into a fresh array and the packet is released by {@link SimpleChannelInboundHandler}.
 * Outbound packets wrap the core's arrays ({@link Unpooled#wrappedBuffer}) and are released by
 * Netty once written. The core's arrays are never reused, so no copy is needed.
 */
public final class RelayServer implements AutoCloseable {
  private static final int SOCKET_BUFFER = 4 << 20;
  private static final int BIND_ATTEMPTS = 32;

  /**
   * Where to listen and where to bind relayed sockets.
   *
   * @param relayBind the address relayed sockets bind to (null: the listening address's host)
   */
  public record Settings(InetSocketAddress listen, InetAddress relayBind, PortRange ports) {}

  private final EventLoopGroup group;
  private final EventLoop loop;
  private final Bootstrap relayBootstrap;
  private final Allocations core;
  private final PortRange ports;
  private final InetAddress relayBind;
  private final RandomGenerator random = RandomGenerator.getDefault();
  private final Map<InetSocketAddress, Channel> relays = new HashMap<>();
  private final List<Channel> dirty = new ArrayList<>();
  private Channel listener;
  private InetSocketAddress listenAddress;
  private ScheduledFuture<?> timer;

  private RelayServer(Settings settings, Allocations core) {
    boolean epoll = Epoll.isAvailable();
    this.group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    this.loop = group.next();
    this.core = core;
    this.ports = settings.ports();
    this.relayBind =
        settings.relayBind() != null ? settings.relayBind() : settings.listen().getAddress();
    this.relayBootstrap =
        new Bootstrap()
            .group(loop)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, SOCKET_BUFFER)
            .option(ChannelOption.SO_SNDBUF, SOCKET_BUFFER)
            .handler(new PeerHandler());
  }

  /**
   * Starts a relay: binds the listening socket (port 0 picks one) and the one-second timer. {@code
   * metrics} is updated by the core and may be read from any thread.
   */
  public static RelayServer start(
      Settings settings, TurnConfig config, RelayCredentials credentials, RelayMetrics metrics)
      throws InterruptedException {
    byte[] nonceKey = new byte[32];
    new SecureRandom().nextBytes(nonceKey);
    Allocations core =
        new Allocations(
            config,
            credentials,
            nonceKey,
            InstantSource.system(),
            RandomGenerator.getDefault(),
            metrics);
    RelayServer server = new RelayServer(settings, core);
    try {
      server.listener =
          server
              .relayBootstrap
              .clone()
              .handler(server.new ClientHandler())
              .bind(settings.listen())
              .sync()
              .channel();
      server.listenAddress = (InetSocketAddress) server.listener.localAddress();
      server.timer = server.loop.scheduleAtFixedRate(server::tick, 1, 1, TimeUnit.SECONDS);
      return server;
    } catch (InterruptedException | RuntimeException e) {
      server.close();
      throw e;
    }
  }

  /** The bound listening address. */
  public InetSocketAddress listenAddress() {
    return listenAddress;
  }

  /** Relayed sockets currently open (asks the event loop). */
  public int relayedSockets() {
    try {
      return loop.submit(relays::size).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    }
  }

  @Override
  public void close() {
    if (timer != null) {
      timer.cancel(false);
    }
    group.shutdownGracefully(0, 200, TimeUnit.MILLISECONDS).syncUninterruptibly();
  }

  // ------------------------------------------------------------------ event loop only

  private void tick() {
    run(core.poll(System.nanoTime()));
    flushDirty();
  }

  private void run(List<RelayAction> actions) {
    for (RelayAction action : actions) {
      switch (action) {
        case RelayAction.ToClient t ->
            write(listener, t.datagram(), 0, t.datagram().length, t.client());
        case RelayAction.ToPeer p -> {
          Channel relay = relays.get(p.relay());
          if (relay != null) {
            write(relay, p.data(), p.offset(), p.length(), p.peer());
          }
        }
        case RelayAction.OpenRelay o -> bindRelay(o, 0);
        case RelayAction.CloseRelay c -> {
          Channel relay = relays.remove(c.relay());
          if (relay != null) {
            relay.close();
          }
        }
      }
    }
  }

  private void write(Channel channel, byte[] data, int off, int len, InetSocketAddress to) {
    channel.write(
        new DatagramPacket(Unpooled.wrappedBuffer(data, off, len), to), channel.voidPromise());
    if (!dirty.contains(channel)) {
      dirty.add(channel);
    }
  }

  private void flushDirty() {
    for (Channel c : dirty) {
      c.flush();
    }
    dirty.clear();
  }

  /** Binds a relayed socket, retrying taken (or, for EVEN-PORT, odd) ports. */
  private void bindRelay(RelayAction.OpenRelay open, int attempt) {
    int port = ports.candidate(random, open.evenPort());
    relayBootstrap
        .bind(new InetSocketAddress(relayBind, port))
        .addListener((ChannelFuture f) -> onBound(open, attempt, f));
  }

  private void onBound(RelayAction.OpenRelay open, int attempt, ChannelFuture f) {
    if (f.isSuccess()) {
      InetSocketAddress local = (InetSocketAddress) f.channel().localAddress();
      if (!open.evenPort() || local.getPort() % 2 == 0) {
        relays.put(local, f.channel());
        run(core.onRelayOpened(open.owner(), local, System.nanoTime()));
        flushDirty();
        return;
      }
      f.channel().close();
    }
    if (attempt + 1 < BIND_ATTEMPTS) {
      bindRelay(open, attempt + 1);
    } else {
      run(core.onRelayFailed(open.owner(), System.nanoTime()));
      flushDirty();
    }
  }

  private static byte[] copy(DatagramPacket packet) {
    ByteBuf content = packet.content();
    byte[] bytes = new byte[content.readableBytes()];
    content.getBytes(content.readerIndex(), bytes);
    return bytes;
  }

  /** Datagrams from clients on the listening socket. */
  private final class ClientHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      byte[] bytes = copy(packet);
      FiveTuple tuple = new FiveTuple(packet.sender(), listenAddress);
      run(core.onClientDatagram(tuple, bytes, 0, bytes.length, System.nanoTime()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // ICMP errors and the like surface here; UDP carries on.
    }
  }

  /** Datagrams from peers on relayed sockets; shared by all of them. */
  @ChannelHandler.Sharable
  private final class PeerHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      byte[] bytes = copy(packet);
      InetSocketAddress relay = (InetSocketAddress) ctx.channel().localAddress();
      run(core.onPeerDatagram(relay, packet.sender(), bytes, 0, bytes.length, System.nanoTime()));
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      flushDirty();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      // as above
    }
  }
}
