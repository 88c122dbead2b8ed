package dev.gatehouse.tunnel.runner;

import dev.gatehouse.tunnel.wireguard.Keypair;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A small fork-join for one direction of a tunnel: {@link #forEach} splits a batch of packets into
 * contiguous chunks, runs the first on the calling thread and the others on worker threads, and
 * returns when all are done, so the caller then emits the batch in its original order (wireguard-go
 * keeps per-peer order the same way: parallel crypto, sequential delivery). Each thread has its own
 * {@link Keypair} lane: the caller 1, worker {@code w} {@code w + 2}.
 *
 * <p>A batch below {@value #MIN_PER_THREAD} packets per thread runs on the caller alone: a lone
 * ping pays no hand-off. Workers spin briefly after a batch (the next one usually follows within
 * microseconds) and then park; the caller spins as briefly for the last chunk. Not for concurrent
 * callers: one instance per direction.
 */
public final class CryptoWorkers implements AutoCloseable {
  /** Fewest packets worth handing to another thread (about 4 µs of full-size sealing). */
  public static final int MIN_PER_THREAD = 4;

  /**
   * How long the caller spins for the last chunk and a worker for the next batch before parking,
   * when a core is likely free for each worker (more than two cores): a park and unpark cost more
   * than the wait, and with short spins a worker made sealing slower, not faster ({@code
   * ParallelCryptoBenchmark}, BENCHMARKS.md).
   */
  public static final long SPARE_CORE_SPIN_NANOS = 20_000;

  private final long callerSpinNanos;
  private final long workerSpinNanos;

  /** Work on one packet of a batch. */
  @FunctionalInterface
  public interface Task {
    void run(int index, int lane);
  }

  private final Worker[] workers;
  private final AtomicInteger pending = new AtomicInteger();
  private volatile Thread caller;
  private volatile Throwable failure;
  private volatile boolean running = true;

  /**
   * Starts {@code count} worker threads (0: every batch runs on the caller), spinning {@link
   * #SPARE_CORE_SPIN_NANOS} on machines with more than two cores and only briefly (5 µs caller, 2
   * µs worker) on two, where a spinning worker takes the core the other direction needs.
   */
  public CryptoWorkers(int count, String name) {
    this(
        count,
        name,
        spareCores() ? SPARE_CORE_SPIN_NANOS : 5_000,
        spareCores() ? SPARE_CORE_SPIN_NANOS : 2_000);
  }

  /** As {@link #CryptoWorkers(int, String)} with the spins given. */
  public CryptoWorkers(int count, String name, long callerSpinNanos, long workerSpinNanos) {
    this.callerSpinNanos = callerSpinNanos;
    this.workerSpinNanos = workerSpinNanos;
    if (count < 0 || count > Keypair.MAX_LANES - 2) {
      throw new IllegalArgumentException(
          "crypto workers must be 0 to " + (Keypair.MAX_LANES - 2) + ", not " + count);
    }
    workers = new Worker[count];
    for (int w = 0; w < count; w++) {
      workers[w] = new Worker(w + 2);
      workers[w].thread = Thread.ofPlatform().name(name + "-" + w).daemon().start(workers[w]);
    }
  }

  /**
   * One worker per core beyond the two the tunnel's own threads keep busy (the TUN reader and the
   * event loop), within the lanes a keypair has: none on two cores, where a worker measured 1.4×
   * the CPU per GB of none (BENCHMARKS.md) because it can only take a core from the other
   * direction.
   */
  public static int defaultCount() {
    return Math.clamp(Runtime.getRuntime().availableProcessors() - 2, 0, Keypair.MAX_LANES - 2);
  }

  private static boolean spareCores() {
    return Runtime.getRuntime().availableProcessors() > 2;
  }

  /** Worker threads (not counting the caller). */
  public int count() {
    return workers.length;
  }

  /** Runs {@code task} for every index in {@code [0, n)}; returns when every call has returned. */
  public void forEach(int n, Task task) {
    int threads = Math.min(workers.length + 1, n / MIN_PER_THREAD);
    if (threads <= 1) {
      for (int i = 0; i < n; i++) {
        task.run(i, 1);
      }
      return;
    }
    int chunk = (n + threads - 1) / threads;
    caller = Thread.currentThread();
    pending.set(threads - 1);
    for (int w = 0; w < threads - 1; w++) {
      workers[w].post(task, (w + 1) * chunk, Math.min(n, (w + 2) * chunk));
    }
    for (int i = 0; i < chunk; i++) {
      task.run(i, 1);
    }
    long spinUntil = System.nanoTime() + callerSpinNanos;
    while (pending.get() > 0) {
      if (System.nanoTime() < spinUntil) {
        Thread.onSpinWait();
      } else {
        LockSupport.park(this);
      }
    }
    Throwable f = failure;
    if (f != null) {
      failure = null;
      throw new IllegalStateException("crypto worker failed", f);
    }
  }

  @Override
  public void close() {
    running = false;
    for (Worker w : workers) {
      LockSupport.unpark(w.thread);
    }
  }

  private final class Worker implements Runnable {
    private final int lane;
    private Thread thread;
    private volatile Task task;
    private int from;
    private int to;

    Worker(int lane) {
      this.lane = lane;
    }

    void post(Task t, int from, int to) {
      this.from = from;
      this.to = to;
      this.task = t; // volatile write publishes from and to
      LockSupport.unpark(thread);
    }

    @Override
    public void run() {
      long idleSince = System.nanoTime();
      while (running) {
        Task t = task;
        if (t == null) {
          if (System.nanoTime() - idleSince < workerSpinNanos) {
            Thread.onSpinWait();
          } else {
            LockSupport.park(this);
          }
          continue;
        }
        try {
          for (int i = from; i < to; i++) {
            t.run(i, lane);
          }
        } catch (Throwable e) {
          failure = e;
        }
        task = null;
        if (pending.decrementAndGet() == 0) {
          LockSupport.unpark(caller);
        }
        idleSince = System.nanoTime();
      }
    }
  }
}
