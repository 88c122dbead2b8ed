package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.wireguard.TunnelResult;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Transport data throughput of the core on one thread: {@code encrypt} is encapsulate (route
 * lookup, copy, pad, ChaCha20-Poly1305 seal); {@code encryptDecrypt} adds decapsulate (index
 * lookup, open, replay window, source check) at the other device. Bytes/s = ops/s × size.
 *
 * <p>{@code receiveCopied} and {@code receiveInPlace} start the same way and then put the sealed
 * datagram where {@code recvmsg} leaves it, in a native receive buffer. From there {@code
 * receiveCopied} does what a heap receiver costs (a copy into a heap buffer, then decapsulate) and
 * {@code receiveInPlace} what the engine does now with {@code LinuxUdpTransport}: decapsulate
 * straight from the native buffer.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class TransportBenchmark {
  @Param({"64", "512", "1420"})
  public int size;

  private BenchPair pair;
  private ByteBuffer packet;
  private ByteBuffer wire;
  private ByteBuffer plain;

  private final MemorySegment socketBuffer = Arena.ofAuto().allocate(65536, 64);
  private final byte[] heapCopy = new byte[65536];
  private final ByteBuffer heapView = ByteBuffer.wrap(heapCopy);

  @Setup(Level.Trial)
  public void setUp() {
    pair = new BenchPair();
    byte[] p = BenchPair.packet(size);
    pair.handshake(p);
    packet = ByteBuffer.wrap(p);
    wire = ByteBuffer.allocate(size + 64);
    plain = ByteBuffer.allocate(size + 64);
  }

  @Benchmark
  public int encrypt() {
    TunnelResult r = pair.a.encapsulate(packet, wire);
    return wire.limit() + (r == null ? 1 : 0);
  }

  @Benchmark
  public int encryptDecrypt() {
    pair.a.encapsulate(packet, wire);
    TunnelResult r = pair.b.decapsulate(wire, BenchPair.A, plain);
    if (!(r instanceof TunnelResult.WriteToTunnel)) {
      throw new IllegalStateException("decrypt failed: " + r);
    }
    return plain.limit();
  }

  @Benchmark
  public int receiveCopied() {
    int len = sealIntoSocketBuffer();
    MemorySegment.copy(socketBuffer, ValueLayout.JAVA_BYTE, 64, heapCopy, 0, len);
    return opened(pair.b.decapsulate(heapView.clear().limit(len), BenchPair.A, plain));
  }

  @Benchmark
  public int receiveInPlace() {
    int len = sealIntoSocketBuffer();
    return opened(pair.b.decapsulate(socketBuffer, 64, len, BenchPair.A, plain));
  }

  private int sealIntoSocketBuffer() {
    pair.a.encapsulate(packet, wire);
    int len = wire.remaining();
    MemorySegment.copy(wire.array(), wire.position(), socketBuffer, ValueLayout.JAVA_BYTE, 64, len);
    return len;
  }

  private int opened(TunnelResult r) {
    if (!(r instanceof TunnelResult.WriteToTunnel)) {
      throw new IllegalStateException("decrypt failed: " + r);
    }
    return plain.limit();
  }
}
