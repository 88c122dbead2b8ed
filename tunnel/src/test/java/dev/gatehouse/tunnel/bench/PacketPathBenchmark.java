package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.packet.GsoSegmenter;
import dev.gatehouse.tunnel.packet.TcpCoalescer;
import dev.gatehouse.tunnel.packet.TcpSegments;
import dev.gatehouse.tunnel.packet.VirtioNetHeader;
import dev.gatehouse.tunnel.wireguard.Protocol;
import dev.gatehouse.tunnel.wireguard.SealTicket;
import dev.gatehouse.tunnel.wireguard.TunnelResult;
import dev.gatehouse.tunnel.wireguard.WireGuardDevice;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The tunnel's whole per-packet path without the system calls, one operation = one TSO super-packet
 * of {@value #SEGMENTS} full-size TCP segments ({@value #MSS} B of payload each, 62 KB), as the
 * engine's batched threads do it: {@code send} segments it ({@link GsoSegmenter}) straight into the
 * batch slots, prepares it ({@code encapsulate} with a {@link SealTicket}: route, counter, header,
 * timers) and seals it (lane 1); {@code sendReceive} adds the other end: decapsulate each message
 * in place (index, replay window, open, source check) and merge the segments for one TUN write
 * ({@link TcpCoalescer}). Run with {@code -prof gc}: the allocation figure is ours and the JDK's
 * together, per super-packet.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class PacketPathBenchmark {
  static final int MSS = 1380;
  static final int SEGMENTS = 45;

  private BenchPair pair;
  private byte[] superPacket;
  private VirtioNetHeader tso;
  private final GsoSegmenter segmenter = new GsoSegmenter();
  private final TcpCoalescer coalescer = new TcpCoalescer(4);
  private final ByteBuffer[] packets = new ByteBuffer[SEGMENTS];
  private final ByteBuffer[] slots = new ByteBuffer[SEGMENTS];
  private final ByteBuffer[] plain = new ByteBuffer[SEGMENTS];
  private final SealTicket[] tickets = new SealTicket[SEGMENTS];
  private final TunnelResult[] results = new TunnelResult[SEGMENTS];

  @Setup(Level.Trial)
  public void setUp() {
    // TcpSegments' addresses: 10.77.0.2 -> 172.31.2.2.
    pair = new BenchPair("172.31.2.2/32", "10.77.0.2/32");
    superPacket = TcpSegments.superPacket(false, 1, TcpSegments.ACK, 0, new byte[MSS * SEGMENTS]);
    tso = TcpSegments.tso(false, 0, MSS);
    int n = segmenter.segment(superPacket, 0, superPacket.length, tso);
    if (n != SEGMENTS) {
      throw new IllegalStateException("segments: " + n);
    }
    byte[] first = new byte[segmenter.length(0)];
    System.arraycopy(segmenter.buffer(), segmenter.offset(0), first, 0, first.length);
    pair.handshake(first);
    for (int i = 0; i < SEGMENTS; i++) {
      // Room for decryption in place too (decapsulate wants its output as long as the datagram).
      byte[] slot = new byte[MSS + 40 + WireGuardDevice.OVERHEAD + Protocol.TRANSPORT_HEADER_SIZE];
      packets[i] = ByteBuffer.wrap(slot);
      slots[i] = ByteBuffer.wrap(slot);
      plain[i] = ByteBuffer.wrap(slot).position(Protocol.TRANSPORT_HEADER_SIZE).slice();
      tickets[i] = new SealTicket();
    }
  }

  @Benchmark
  public int send() {
    int n = segmenter.prepare(superPacket, 0, superPacket.length, tso);
    int bytes = 0;
    for (int i = 0; i < n; i++) {
      int len = segmenter.emit(i, slots[i].array(), 16);
      packets[i].limit(16 + len).position(16);
      slots[i].clear();
      results[i] = pair.a.encapsulate(packets[i], slots[i], tickets[i]);
    }
    for (int i = 0; i < n; i++) {
      tickets[i].seal(1);
      bytes += slots[i].limit();
    }
    return bytes;
  }

  @Benchmark
  public int sendReceive() {
    send();
    for (int i = 0; i < SEGMENTS; i++) {
      plain[i].clear();
      TunnelResult r = pair.b.decapsulate(slots[i], BenchPair.A, plain[i], 1);
      if (!(r instanceof TunnelResult.WriteToTunnel)) {
        throw new IllegalStateException("decrypt failed: " + r);
      }
      if (!coalescer.add(plain[i].array(), plain[i].arrayOffset(), plain[i].limit())) {
        throw new IllegalStateException("coalescer full");
      }
    }
    int items = coalescer.prepare();
    int len = coalescer.length(0);
    coalescer.clear();
    return items + len;
  }
}
