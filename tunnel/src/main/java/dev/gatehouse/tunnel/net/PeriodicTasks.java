package dev.gatehouse.tunnel.net;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Tasks a receiving loop runs every so often, between its waits: it asks how long it may wait
 * ({@link #nanosUntilNext}) and runs what is due ({@link #runDue}). A task that falls behind runs
 * once and is rescheduled a period from now, so a stalled loop does not catch up in a burst; a task
 * that throws is counted and keeps its schedule. Tasks may be added from any thread.
 */
final class PeriodicTasks {
  /** Copied on add, so that the loop walks a plain array (an iterator is garbage per wait). */
  private volatile Entry[] entries = new Entry[0];

  private final AtomicLong failures = new AtomicLong();

  private static final class Entry {
    final Runnable task;
    final long periodNanos;
    long dueNanos;

    Entry(Runnable task, long periodNanos, long dueNanos) {
      this.task = task;
      this.periodNanos = periodNanos;
      this.dueNanos = dueNanos;
    }
  }

  void add(Runnable task, long periodNanos, long nowNanos) {
    if (periodNanos <= 0) {
      throw new IllegalArgumentException("period must be positive, not " + periodNanos + " ns");
    }
    synchronized (this) {
      Entry[] grown = Arrays.copyOf(entries, entries.length + 1);
      grown[grown.length - 1] = new Entry(task, periodNanos, nowNanos + periodNanos);
      entries = grown;
    }
  }

  /** Nanoseconds until the next task is due (0 if one is), or Long.MAX_VALUE with none. */
  long nanosUntilNext(long nowNanos) {
    long wait = Long.MAX_VALUE;
    for (Entry e : entries) {
      wait = Math.min(wait, Math.max(0, e.dueNanos - nowNanos));
    }
    return wait;
  }

  /** Runs the tasks due at {@code nowNanos}, on the calling (loop) thread. */
  void runDue(long nowNanos) {
    for (Entry e : entries) {
      if (e.dueNanos - nowNanos > 0) {
        continue;
      }
      e.dueNanos += e.periodNanos;
      if (e.dueNanos - nowNanos <= 0) {
        e.dueNanos = nowNanos + e.periodNanos;
      }
      try {
        e.task.run();
      } catch (RuntimeException ex) {
        failures.incrementAndGet();
      }
    }
  }

  /** Task runs that threw. */
  long failures() {
    return failures.get();
  }
}
