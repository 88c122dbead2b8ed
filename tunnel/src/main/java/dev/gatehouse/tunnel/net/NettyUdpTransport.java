package dev.gatehouse.tunnel.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

/**
 * UDP on Netty, epoll when available (NIO otherwise), one event loop.
 *
 * <p><b>ByteBuf ownership.</b> Inbound {@link DatagramPacket}s are owned by the handler: their
 * content is copied into a reused heap array, handed to the {@link Receiver} for the duration of
 * the call, and released by {@link SimpleChannelInboundHandler} (auto-release) afterwards.
 * Outbound: {@link #send} copies into a pooled buffer that Netty releases once written. Writes made
 * on the event loop are flushed in {@code channelReadComplete} (or by {@link #flush()}); writes
 * from other threads are flushed by {@link #flush()}.
 */
public final class NettyUdpTransport implements DatagramTransport {
  private static final int MAX_DATAGRAM = 65536;

  private final EventLoopGroup group;
  private final Channel channel;
  private final byte[] receiveArray = new byte[MAX_DATAGRAM];
  private volatile Receiver receiver;

  private NettyUdpTransport(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Whether the native epoll transport is in use. */
  public static boolean epollAvailable() {
    return Epoll.isAvailable();
  }

  /** Binds a UDP socket to {@code local} (port 0 picks one), one datagram per read. */
  public static NettyUdpTransport bind(InetSocketAddress local) throws InterruptedException {
    return bind(local, 0);
  }

  /**
   * Binds a UDP socket; with epoll and {@code maxDatagramSize > 0}, reads up to 32 datagrams per
   * {@code recvmmsg} syscall. Larger datagrams would be truncated, so pass the largest message the
   * tunnel can carry (MTU + 32 bytes of WireGuard overhead, rounded up).
   */
  public static NettyUdpTransport bind(InetSocketAddress local, int maxDatagramSize)
      throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    EventLoopGroup group = epoll ? new EpollEventLoopGroup(1) : new NioEventLoopGroup(1);
    NettyUdpTransport[] self = new NettyUdpTransport[1];
    Bootstrap b =
        new Bootstrap()
            .group(group)
            .channel(epoll ? EpollDatagramChannel.class : NioDatagramChannel.class)
            .option(ChannelOption.SO_RCVBUF, 4 << 20)
            .option(ChannelOption.SO_SNDBUF, 4 << 20)
            .handler(
                new SimpleChannelInboundHandler<DatagramPacket>() {
                  @Override
                  protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket msg) {
                    self[0].onPacket(msg);
                  }

                  @Override
                  public void channelReadComplete(ChannelHandlerContext ctx) {
                    Receiver r = self[0].receiver;
                    if (r != null) {
                      r.onBurstEnd();
                    }
                    ctx.flush();
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    // ICMP port unreachable and the like surface here; UDP carries on.
                  }
                });
    if (epoll && maxDatagramSize > 0) {
      b.option(io.netty.channel.epoll.EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, maxDatagramSize)
          .option(
              ChannelOption.RCVBUF_ALLOCATOR,
              new io.netty.channel.FixedRecvByteBufAllocator(maxDatagramSize * 32));
    }
    try {
      Channel ch = b.bind(local).sync().channel();
      self[0] = new NettyUdpTransport(group, ch);
      return self[0];
    } catch (InterruptedException | RuntimeException e) {
      group.shutdownGracefully(0, 100, TimeUnit.MILLISECONDS);
      throw e;
    }
  }

  private void onPacket(DatagramPacket msg) {
    Receiver r = receiver;
    if (r == null) {
      return;
    }
    ByteBuf content = msg.content();
    int n = content.readableBytes();
    content.getBytes(content.readerIndex(), receiveArray, 0, n);
    r.onDatagram(ByteBuffer.wrap(receiveArray, 0, n), msg.sender());
  }

  @Override
  public void start(Receiver receiver) {
    this.receiver = receiver;
  }

  @Override
  public void send(ByteBuffer datagram, InetSocketAddress to) {
    ByteBuf buf = channel.alloc().directBuffer(datagram.remaining());
    buf.writeBytes(datagram.duplicate());
    DatagramPacket packet = new DatagramPacket(buf, to);
    if (channel.eventLoop().inEventLoop()) {
      channel.write(packet, channel.voidPromise());
    } else {
      // Another thread (the TUN reader): queue, and hand the whole batch to the event loop in
      // one task at flush() instead of one task per write. The queue owns the packet until the
      // drain task writes it (or releases it if the channel is closed).
      foreign.add(packet);
    }
  }

  @Override
  public void flush() {
    if (channel.eventLoop().inEventLoop()) {
      drainForeign();
      channel.flush();
    } else if (drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drainTask);
    }
  }

  private final java.util.Queue<DatagramPacket> foreign =
      io.netty.util.internal.PlatformDependent.newMpscQueue();
  private final java.util.concurrent.atomic.AtomicBoolean drainScheduled =
      new java.util.concurrent.atomic.AtomicBoolean();
  private final Runnable drainTask = this::runDrain;

  private void runDrain() {
    drainScheduled.set(false);
    drainForeign();
    channel.flush();
  }

  private void drainForeign() {
    DatagramPacket p;
    while ((p = foreign.poll()) != null) {
      if (channel.isActive()) {
        channel.write(p, channel.voidPromise());
      } else {
        p.release();
      }
    }
  }

  @Override
  public InetSocketAddress localAddress() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void schedule(Runnable task, long periodMillis) {
    channel
        .eventLoop()
        .scheduleAtFixedRate(task, periodMillis, periodMillis, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    DatagramPacket p;
    while ((p = foreign.poll()) != null) {
      p.release();
    }
    group
        .shutdownGracefully(0, 200, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
