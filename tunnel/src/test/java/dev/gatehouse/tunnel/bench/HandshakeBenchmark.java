package dev.gatehouse.tunnel.bench;

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
 * Complete handshakes on one thread: initiator and responder work both run here (initiation created
 * and consumed, response created and consumed, first data packet confirming the session). The clock
 * moves 6 s per handshake so that REKEY_TIMEOUT rate limiting and TAI64N replay protection accept
 * every one.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
public class HandshakeBenchmark {
  private BenchPair pair;
  private byte[] packet;

  @Setup(Level.Trial)
  public void setUp() {
    pair = new BenchPair();
    packet = BenchPair.packet(64);
  }

  @Benchmark
  public void fullHandshake() {
    pair.clock.nanos += 6_000_000_000L;
    // expire the current session so that the packet triggers a new handshake
    pair.clock.nanos += 181_000_000_000L;
    pair.handshake(packet);
  }
}
