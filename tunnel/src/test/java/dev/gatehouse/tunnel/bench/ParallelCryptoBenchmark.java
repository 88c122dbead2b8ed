package dev.gatehouse.tunnel.bench;

import dev.gatehouse.tunnel.runner.CryptoWorkers;
import dev.gatehouse.tunnel.runner.TunnelEngine;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * How the engine's parallel crypto scales with the cores it is given, without the network or the
 * kernel in the way: one operation = one engine batch of {@value TunnelEngine#BATCH} full-size
 * packets ({@value #PAYLOAD} B), prepared in order on the calling thread ({@code encapsulate} with
 * a {@link SealTicket}) and sealed across the caller and {@code workers} {@link CryptoWorkers}, as
 * the TUN reader does; {@code sealOpen} adds the other end's half, the batch decapsulated in place
 * across the same number of opening workers, as the event loop does, with each result checked. On a
 * machine with N free cores {@code workers} up to N - 1 should scale; beyond that the threads only
 * take turns.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class ParallelCryptoBenchmark {
  static final int PAYLOAD = 1420;
  static final int N = TunnelEngine.BATCH;

  @Param({"0", "1"})
  public int workers;

  @Param({"spare", "short"})
  public String spin;

  private BenchPair pair;
  private CryptoWorkers pool;
  private final ByteBuffer[] packets = new ByteBuffer[N];
  private final ByteBuffer[] slots = new ByteBuffer[N];
  private final ByteBuffer[] plain = new ByteBuffer[N];
  private final SealTicket[] tickets = new SealTicket[N];
  private final TunnelResult[] results = new TunnelResult[N];
  private final byte[] packet = BenchPair.packet(PAYLOAD);

  // Made once, as the engine's are: a lambda posted to a worker escapes, so one per batch would
  // be 16 bytes a batch.
  private final CryptoWorkers.Task sealTask = (i, lane) -> tickets[i].seal(lane);
  private final CryptoWorkers.Task openTask =
      (i, lane) -> {
        plain[i].clear();
        results[i] = pair.b.decapsulate(slots[i], BenchPair.A, plain[i], lane);
      };

  @Setup(Level.Trial)
  public void setUp() {
    pair = new BenchPair();
    pair.handshake(packet);
    long spare = CryptoWorkers.SPARE_CORE_SPIN_NANOS;
    pool =
        spin.equals("spare")
            ? new CryptoWorkers(workers, "bench", spare, spare)
            : new CryptoWorkers(workers, "bench", 5_000, 2_000);
    for (int i = 0; i < N; i++) {
      byte[] slot = new byte[PAYLOAD + WireGuardDevice.OVERHEAD + Protocol.TRANSPORT_HEADER_SIZE];
      packets[i] = ByteBuffer.wrap(slot);
      slots[i] = ByteBuffer.wrap(slot);
      plain[i] = ByteBuffer.wrap(slot).position(Protocol.TRANSPORT_HEADER_SIZE).slice();
      tickets[i] = new SealTicket();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    pool.close();
  }

  @Benchmark
  public int seal() {
    int h = Protocol.TRANSPORT_HEADER_SIZE;
    for (int i = 0; i < N; i++) {
      System.arraycopy(packet, 0, slots[i].array(), h, PAYLOAD);
      packets[i].limit(h + PAYLOAD).position(h);
      slots[i].clear();
      results[i] = pair.a.encapsulate(packets[i], slots[i], tickets[i]);
    }
    pool.forEach(N, sealTask);
    int bytes = 0;
    for (int i = 0; i < N; i++) {
      bytes += slots[i].limit();
    }
    return bytes;
  }

  @Benchmark
  public int sealOpen() {
    int bytes = seal();
    pool.forEach(N, openTask);
    for (int i = 0; i < N; i++) {
      if (!(results[i] instanceof TunnelResult.WriteToTunnel)) {
        throw new IllegalStateException("packet " + i + " did not open: " + results[i]);
      }
    }
    return bytes;
  }
}
