package dev.gatehouse.tunnel.net;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.internal.PlatformDependent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.Queue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * UDP on Netty, epoll when available (NIO otherwise), one event loop.
 *
 * <p><b>Batching.</b> With epoll and {@code batching} (the default) the socket asks the kernel for
 * GRO-merged datagrams ({@code UDP_GRO}: up to 64 KiB of datagrams per {@code recvmsg}, which Netty
 * splits back into single datagrams) and sends runs of datagrams to one endpoint as one UDP GSO
 * write ({@link GsoBatch}); a GSO write the kernel refuses turns GSO off for the socket's lifetime.
 * (Netty's {@code recvmmsg} path would drop the GRO segment sizes, so it is not used.)
 *
 * <p><b>ByteBuf ownership.</b> Inbound {@link DatagramPacket}s are owned by the handler: their
 * content is copied into a reused heap array, handed to the {@link Receiver} for the duration of
 * the call, and released by {@link SimpleChannelInboundHandler} (auto-release) afterwards.
 * Outbound: {@link #send} copies into the sending thread's pooled {@link GsoBatch} buffer, which
 * leaves in a packet that Netty releases once written (or the transport on close). Writes made on
 * the event loop are flushed in {@code channelReadComplete} (or by {@link #flush()}). Writes from
 * other threads (the TUN reader) go out with {@code sendmsg} on that thread ({@link
 * DirectUdpSender}), saving an event-loop wake-up per batch; when the socket buffer is full they
 * are handed to the event loop instead, in one task per {@link #flush()}.
 */
public final class NettyUdpTransport implements DatagramTransport {
  private static final int MAX_DATAGRAM = 65536;

  /** Socket buffers with CAP_NET_ADMIN (wireguard-go's 7 MiB); 4 MiB capped by sysctls without. */
  private static final int FORCED_BUFFER_BYTES = 7 << 20;

  private final EventLoopGroup group;
  private final Channel channel;
  private final byte[] receiveArray = new byte[MAX_DATAGRAM];
  private final GsoBatch loopBatch;
  private final GsoBatch foreignBatch;
  private final DirectUdpSender direct;
  private volatile boolean gso;
  private volatile Receiver receiver;

  private NettyUdpTransport(EventLoopGroup group, Channel channel, boolean gso) {
    this.group = group;
    this.channel = channel;
    this.gso = gso;
    this.loopBatch = new GsoBatch(channel.alloc());
    this.foreignBatch = new GsoBatch(channel.alloc());
    this.direct = DirectUdpSender.of(channel);
  }

  /** Whether the native epoll transport is in use. */
  public static boolean epollAvailable() {
    return Epoll.isAvailable();
  }

  /** Binds a UDP socket to {@code local} (port 0 picks one), with batching where available. */
  public static NettyUdpTransport bind(InetSocketAddress local) throws InterruptedException {
    return bind(local, true);
  }

  /**
   * Binds a UDP socket; {@code batching} turns on UDP GRO and UDP GSO when epoll and the kernel
   * support them (otherwise one datagram per syscall).
   */
  public static NettyUdpTransport bind(InetSocketAddress local, boolean batching)
      throws InterruptedException {
    boolean epoll = Epoll.isAvailable();
    boolean gso = batching && epoll && EpollDatagramChannel.isSegmentedDatagramPacketSupported();
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
                    self[0].flush();
                  }

                  @Override
                  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                    // ICMP port unreachable and the like surface here; UDP carries on.
                  }
                });
    if (gso) {
      // recvmsg (Netty's recvmmsg path does not report GRO segment sizes) into one 64 KiB buffer:
      // a GRO-merged datagram carries up to 64 KiB of datagrams, which Netty splits again.
      b.option(EpollChannelOption.UDP_GRO, true)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    }
    try {
      Channel ch = b.bind(local).sync().channel();
      if (batching) {
        DirectUdpSender.forceBuffers(ch, FORCED_BUFFER_BYTES);
      }
      self[0] = new NettyUdpTransport(group, ch, gso);
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
    if (channel.eventLoop().inEventLoop()) {
      append(loopBatch, datagram, to);
    } else {
      // Another thread (the TUN reader): collect, and hand the whole batch to the event loop in
      // one task at flush() instead of one task per write. The queue owns a packet until the
      // drain task writes it (or releases it if the channel is closed).
      synchronized (foreignBatch) {
        append(foreignBatch, datagram, to);
      }
    }
  }

  private void append(GsoBatch batch, ByteBuffer datagram, InetSocketAddress to) {
    if (!gso) {
      emit(batch.take(), batch == loopBatch); // whatever was collected before GSO turned off
      ByteBuf buf = channel.alloc().directBuffer(datagram.remaining());
      buf.writeBytes(datagram.duplicate());
      emit(new DatagramPacket(buf, to), batch == loopBatch);
      return;
    }
    if (!batch.tryAppend(datagram, to)) {
      emit(batch.take(), batch == loopBatch);
      batch.tryAppend(datagram, to);
    }
  }

  private void emit(DatagramPacket packet, boolean onLoop) {
    if (packet == null) {
      return;
    }
    if (!onLoop) {
      sendForeign(packet);
    } else if (packet instanceof SegmentedDatagramPacket) {
      channel.write(packet).addListener(gsoFailure);
    } else {
      channel.write(packet, channel.voidPromise());
    }
  }

  /**
   * Off the event loop: sends with sendmsg on this thread when nothing is queued ahead (keeping
   * order), else — or when the socket buffer is full — queues for the event loop. Caller holds the
   * foreignBatch lock.
   */
  private void sendForeign(DatagramPacket packet) {
    if (direct != null && foreign.isEmpty() && !drainScheduled.get()) {
      int segment = packet instanceof SegmentedDatagramPacket s ? s.segmentSize() : 0;
      int r = direct.send(packet.content(), segment, packet.recipient());
      if (r != DirectUdpSender.WOULD_BLOCK) {
        if (r == DirectUdpSender.FAILED && segment > 0) {
          gso = false;
        }
        packet.release();
        return;
      }
    }
    foreign.add(packet);
  }

  /** A kernel (or egress device) that refuses UDP GSO: stop using it, as wireguard-go does. */
  private final ChannelFutureListener gsoFailure =
      f -> {
        if (!f.isSuccess()) {
          gso = false;
        }
      };

  @Override
  public void flush() {
    synchronized (foreignBatch) {
      emit(foreignBatch.take(), false);
    }
    if (channel.eventLoop().inEventLoop()) {
      emit(loopBatch.take(), true);
      drainForeign();
      channel.flush();
    } else if (!foreign.isEmpty() && drainScheduled.compareAndSet(false, true)) {
      channel.eventLoop().execute(drainTask);
    }
  }

  private final Queue<DatagramPacket> foreign = PlatformDependent.newMpscQueue();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
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
        emit(p, true);
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
    synchronized (foreignBatch) {
      foreignBatch.release();
      if (direct != null) {
        direct.close();
      }
    }
    channel.eventLoop().execute(loopBatch::release);
    DatagramPacket p;
    while ((p = foreign.poll()) != null) {
      p.release();
    }
    group
        .shutdownGracefully(0, 200, TimeUnit.MILLISECONDS)
        .awaitUninterruptibly(2, TimeUnit.SECONDS);
  }
}
