package dev.gatehouse.tunnel.runner;

import dev.gatehouse.tunnel.net.DatagramTransport;
import dev.gatehouse.tunnel.sys.OpenSslProvider;
import dev.gatehouse.tunnel.tun.TunDevice;
import dev.gatehouse.tunnel.wireguard.Protocol;
import dev.gatehouse.tunnel.wireguard.SealTicket;
import dev.gatehouse.tunnel.wireguard.TransportAead;
import dev.gatehouse.tunnel.wireguard.TunnelResult;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;

/**
 * Wires a {@link WireGuardDevice} to a {@link TunDevice} and a {@link DatagramTransport}: a reader
 * thread moves packets TUN → device → UDP; the transport's event loop moves datagrams UDP → device
 * → TUN and polls the timers every {@value #TIMER_PERIOD_MILLIS} ms. Each thread owns its buffers.
 *
 * <p>With crypto workers (by default one per core beyond the first two, {@link
 * CryptoWorkers#defaultCount}), each direction works in batches of up to {@value #BATCH} packets:
 * the reader reads what the TUN has queued straight into batch slots, the device prepares each
 * (route, counter, timers) in order, the workers and the reader encrypt the slots in parallel, and
 * the reader sends them in order; the event loop collects a burst of transport datagrams, decrypts
 * them in parallel, and writes them to the TUN in order. Without workers every packet goes through
 * alone, as it arrives.
 */
public final class TunnelEngine implements AutoCloseable {
  /** Timer poll period (boringtun polls every 250 ms; finer makes retries more punctual). */
  public static final int TIMER_PERIOD_MILLIS = 100;

  private final WireGuardDevice device;
  private final TunDevice tun;
  private final DatagramTransport transport;
  private final Consumer<String> log;
  private final Thread reader;
  private final ByteBuffer netOut = ByteBuffer.allocate(65536 + WireGuardDevice.OVERHEAD);
  private final AtomicLong tunWriteErrors = new AtomicLong();
  private final CryptoWorkers sealers;
  private final CryptoWorkers openers;
  private final Batch received;

  /** Opens slot {@code i} of {@link #received}; one instance, so a batch allocates nothing. */
  private final CryptoWorkers.Task openTask;

  /** Held while reading the TUN and sending what was read, so packets leave in the read order. */
  private final ReentrantLock tunReads = new ReentrantLock();

  /** Whether the current burst of datagrams wrote to the TUN (event loop only). */
  private boolean burstReachedTun;

  /** Whether the event loop reads the TUN too ({@link TunDevice#readsPromptly}). */
  private final boolean answersInline;

  private volatile boolean running = true;

  /** Packets per parallel batch: one UDP GSO send's worth. */
  public static final int BATCH = 64;

  /**
   * Packets the event loop sends for the reader after a burst ({@link #flushTunAndSendReplies}).
   */
  private static final int REPLY_BUDGET = BATCH;

  public TunnelEngine(
      WireGuardDevice device, TunDevice tun, DatagramTransport transport, Consumer<String> log) {
    this(device, tun, transport, log, CryptoWorkers.defaultCount());
  }

  /** With {@code cryptoWorkers} worker threads per direction (0: no batching). */
  public TunnelEngine(
      WireGuardDevice device,
      TunDevice tun,
      DatagramTransport transport,
      Consumer<String> log,
      int cryptoWorkers) {
    this.device = device;
    this.tun = tun;
    this.transport = transport;
    this.log = log;
    this.sealers = new CryptoWorkers(cryptoWorkers, "seal-" + tun.name());
    this.openers = new CryptoWorkers(cryptoWorkers, "open-" + tun.name());
    this.answersInline = tun.readsPromptly();
    Batch r = cryptoWorkers > 0 ? new Batch(RECEIVE_SLOT, true) : null;
    this.received = r;
    this.openTask =
        (i, lane) -> r.results[i] = device.decapsulate(r.in[i], r.senders[i], r.out[i], lane);
    this.reader =
        Thread.ofPlatform()
            .name("tun-reader-" + tun.name())
            .daemon()
            .unstarted(cryptoWorkers > 0 ? this::readTunBatched : this::readTun);
  }

  /** Receive slots take datagrams of full-size packets; larger ones go through alone. */
  private static final int RECEIVE_SLOT = 2048 + WireGuardDevice.OVERHEAD;

  /** Starts the threads. */
  public TunnelEngine start() {
    transport.start(
        new DatagramTransport.NativeReceiver() {
          @Override
          public void onDatagram(ByteBuffer datagram, InetSocketAddress sender) {
            if (received != null && received.add(datagram, sender)) {
              openWhenFull();
              return;
            }
            openReceivedFirst();
            handleReceived(device.decapsulate(datagram, sender, netOut), netOut);
            drain(netOut);
          }

          /** A datagram still in the socket's buffer: decrypted from there, or copied to a slot. */
          @Override
          public void onDatagram(
              MemorySegment buffer, long offset, int length, InetSocketAddress sender) {
            if (received != null && received.add(buffer, offset, length, sender)) {
              openWhenFull();
              return;
            }
            openReceivedFirst();
            handleReceived(device.decapsulate(buffer, offset, length, sender, netOut), netOut);
            drain(netOut);
          }

          @Override
          public void onBurstEnd() {
            if (received != null) {
              openReceived();
            }
            boolean answer = burstReachedTun && answersInline;
            burstReachedTun = false;
            if (answer) {
              flushTunAndSendReplies();
            } else {
              flushTun();
            }
            transport.flush();
          }
        });
    transport.schedule(
        () -> {
          device.updateTimers();
          drain(netOut);
          flushTun();
          transport.flush();
        },
        TIMER_PERIOD_MILLIS);
    reader.start();
    log.accept(
        "tunnel "
            + tun.name()
            + ": ChaCha20-Poly1305 by "
            + TransportAead.implementation()
            + (OpenSslProvider.available() ? "" : " (" + OpenSslProvider.unavailableReason() + ")")
            + ", "
            + sealers.count()
            + " crypto workers per direction");
    return this;
  }

  private void readTun() {
    ByteBuffer out = ByteBuffer.allocate(65536 + WireGuardDevice.OVERHEAD);
    while (running) {
      try {
        if (!tun.awaitReadable(200)) {
          continue;
        }
        tunReads.lock();
        try {
          if (sendQueued(out, Integer.MAX_VALUE) < 0) {
            return;
          }
        } finally {
          tunReads.unlock();
        }
      } catch (IOException e) {
        if (running) {
          log.accept("TUN read failed, stopping: " + e.getMessage());
        }
        return;
      }
    }
  }

  /**
   * Under {@link #tunReads}: encapsulates and sends what the TUN has queued, one packet at a time,
   * each read straight to where its message will be sealed in {@code out} (a heap buffer), flushing
   * per GSO batch and at the end. Stops when the queue is empty or, past {@code budget} packets,
   * when no split super-packet is left half-read; -1 once the TUN is closed.
   */
  private int sendQueued(ByteBuffer out, int budget) throws IOException {
    byte[] buf = out.array();
    int at = out.arrayOffset() + Protocol.TRANSPORT_HEADER_SIZE;
    int room = out.capacity() - WireGuardDevice.OVERHEAD;
    int sent = 0;
    int n;
    while ((n = tun.read(buf, at, room, 0)) > 0) {
      out.clear();
      handle(device.encapsulate(ByteBuffer.wrap(buf, at, n), out), out);
      drain(out);
      if (++sent % BATCH == 0) {
        transport.flush();
      }
      if (sent >= budget && !tun.holdsSegments()) {
        break;
      }
    }
    transport.flush();
    return n < 0 ? -1 : sent;
  }

  /**
   * On the event loop, after a burst of datagrams: writes what it held for the TUN and then sends
   * what the TUN queued meanwhile (a ping's reply, TCP's ACKs: the kernel answers within the TUN
   * write) here and now, on this core, instead of leaving it to the reader, which would have to be
   * woken on another. Holding {@link #tunReads} across the write keeps a reader that the reply
   * wakes from taking it first; when the reader is busy already, only the write happens here.
   */
  private void flushTunAndSendReplies() {
    if (!tunReads.tryLock()) {
      flushTun();
      return;
    }
    try {
      flushTun();
      sendQueued(netOut, REPLY_BUDGET); // the burst's plaintexts are in the TUN already
    } catch (IOException e) {
      // the reader meets the same error on its next read and reports it
    } finally {
      tunReads.unlock();
    }
  }

  private void openWhenFull() {
    if (received.size == BATCH) {
      openReceived();
    }
  }

  /** Before a datagram that goes through alone: what came before it goes first. */
  private void openReceivedFirst() {
    if (received != null) {
      openReceived();
    }
  }

  /** Decrypts the collected transport datagrams in parallel, then hands them on in order. */
  private void openReceived() {
    Batch b = received;
    if (b.size == 0) {
      return;
    }
    openers.forEach(b.size, openTask);
    for (int i = 0; i < b.size; i++) {
      handleReceived(b.results[i], b.out[i]);
      b.results[i] = null;
      b.senders[i] = null;
    }
    b.size = 0;
    drain(netOut);
  }

  /**
   * The reader with crypto workers: reads what the TUN has queued (up to {@link #BATCH} packets)
   * into slots, prepares them in order, seals them in parallel and sends them in order. Slots fit
   * the MTU the TUN was opened with ({@link TunDevice#mtu}, which the OS does not exceed unless the
   * interface's MTU is raised behind our back).
   */
  private void readTunBatched() {
    Batch b = new Batch(tun.mtu() + WireGuardDevice.OVERHEAD, false);
    CryptoWorkers.Task seal = (k, lane) -> b.tickets[b.order[k]].seal(lane);
    ByteBuffer scratch = ByteBuffer.allocate(65536 + WireGuardDevice.OVERHEAD);
    int room = b.slotSize - WireGuardDevice.OVERHEAD;
    int h = Protocol.TRANSPORT_HEADER_SIZE;
    while (running) {
      int n = 0;
      try {
        if (!tun.awaitReadable(200)) {
          continue;
        }
        tunReads.lock();
        try {
          while (b.size < BATCH && (n = tun.read(b.array(b.size), h, room, 0)) > 0) {
            b.fill(n);
          }
          if (b.size > 0) {
            sealAndSend(b, seal, scratch);
          }
        } finally {
          tunReads.unlock();
        }
      } catch (IOException e) {
        if (running) {
          log.accept("TUN read failed, stopping: " + e.getMessage());
        }
        return;
      }
      if (n < 0) {
        return;
      }
    }
  }

  private void sealAndSend(Batch b, CryptoWorkers.Task seal, ByteBuffer scratch) {
    int sealing = 0;
    for (int i = 0; i < b.size; i++) {
      b.results[i] = device.encapsulate(b.in[i], b.out[i], b.tickets[i]);
      if (b.tickets[i].pending()) {
        b.order[sealing++] = i;
      }
    }
    sealers.forEach(sealing, seal);
    for (int i = 0; i < b.size; i++) {
      handle(b.results[i], b.out[i]);
      b.results[i] = null;
    }
    b.size = 0;
    drain(scratch);
    transport.flush();
  }

  /** Slots of one direction's batch: the packet (or datagram) view, the output, the results. */
  private static final class Batch {
    final int slotSize;
    final ByteBuffer[] in = new ByteBuffer[BATCH];
    final ByteBuffer[] out = new ByteBuffer[BATCH];
    final SealTicket[] tickets = new SealTicket[BATCH];
    final TunnelResult[] results = new TunnelResult[BATCH];
    final InetSocketAddress[] senders = new InetSocketAddress[BATCH];
    final int[] order = new int[BATCH];
    int size;

    /**
     * Sending slots hold the packet at the header offset of the message sealed around it; receiving
     * slots ({@code decryptInPlace}) decrypt the datagram onto itself, the plaintext starting where
     * the ciphertext did, after the header.
     */
    Batch(int slotSize, boolean decryptInPlace) {
      this.slotSize = slotSize;
      for (int i = 0; i < BATCH; i++) {
        byte[] slot = new byte[slotSize];
        in[i] = ByteBuffer.wrap(slot);
        out[i] =
            decryptInPlace
                ? ByteBuffer.wrap(slot).position(Protocol.TRANSPORT_HEADER_SIZE).slice()
                : ByteBuffer.wrap(slot);
        tickets[i] = new SealTicket();
      }
    }

    byte[] array(int i) {
      return out[i].array();
    }

    /** Slot {@code size} holds a read packet of {@code n} bytes at the header offset. */
    void fill(int n) {
      in[size].limit(Protocol.TRANSPORT_HEADER_SIZE + n).position(Protocol.TRANSPORT_HEADER_SIZE);
      out[size].clear();
      size++;
    }

    /**
     * Copies a transport datagram into the next slot (its plaintext will replace it there); false
     * for anything else (handshakes, oversized), which must go through alone, in order.
     */
    boolean add(ByteBuffer datagram, InetSocketAddress sender) {
      int len = datagram.remaining();
      if (!fits(len, datagram.get(datagram.position()))) {
        return false;
      }
      datagram.get(datagram.position(), in[size].array(), 0, len);
      take(len, sender);
      return true;
    }

    /** {@link #add} of a datagram in native memory, {@code buffer[offset, offset+len)}. */
    boolean add(MemorySegment buffer, long offset, int len, InetSocketAddress sender) {
      if (!fits(len, len > 0 ? buffer.get(ValueLayout.JAVA_BYTE, offset) : 0)) {
        return false;
      }
      MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, offset, in[size].array(), 0, len);
      take(len, sender);
      return true;
    }

    private boolean fits(int len, byte type) {
      return len <= slotSize - Protocol.TRANSPORT_HEADER_SIZE
          && len >= Protocol.TRANSPORT_MIN_SIZE
          && type == Protocol.TYPE_TRANSPORT;
    }

    private void take(int len, InetSocketAddress sender) {
      in[size].limit(len).position(0);
      out[size].clear();
      senders[size] = sender;
      size++;
    }
  }

  private void drain(ByteBuffer out) {
    for (int i = 0; i < 10_000; i++) {
      TunnelResult r = device.poll(out);
      if (r instanceof TunnelResult.Done) {
        return;
      }
      handle(r, out);
    }
  }

  /**
   * On the event loop: {@link #handle}s what a received datagram produced, noting a packet for the
   * TUN, after which the burst's end looks for what the TUN answered (handshakes and keepalives
   * write nothing there, so they cost no read).
   */
  private void handleReceived(TunnelResult r, ByteBuffer out) {
    if (r instanceof TunnelResult.WriteToTunnel) {
      burstReachedTun = true;
    }
    handle(r, out);
  }

  private void handle(TunnelResult r, ByteBuffer out) {
    switch (r) {
      case TunnelResult.WriteToNetwork w -> transport.send(out, w.endpoint());
      case TunnelResult.WriteToTunnel t -> {
        try {
          tun.writeBatched(out.array(), out.arrayOffset(), out.limit());
        } catch (IOException e) {
          if (tunWriteErrors.getAndIncrement() == 0) {
            log.accept("TUN write failed: " + e.getMessage());
          }
        }
      }
      case TunnelResult.Done d -> {}
      case TunnelResult.Dropped d -> {}
    }
  }

  /** TUN writes happen on the transport's thread only, so that thread flushes them. */
  private void flushTun() {
    try {
      tun.flush();
    } catch (IOException e) {
      if (tunWriteErrors.getAndIncrement() == 0) {
        log.accept("TUN write failed: " + e.getMessage());
      }
    }
  }

  public WireGuardDevice device() {
    return device;
  }

  @Override
  public void close() {
    running = false;
    sealers.close();
    openers.close();
    tun.close();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    transport.close();
  }
}
