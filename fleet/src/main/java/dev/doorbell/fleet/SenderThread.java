package dev.doorbell.fleet;

import java.time.Clock;
import java.util.Comparator;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One sender thread's loop over the devices it owns, in order of their next intended frame time (open loop): a frame
 * is sealed and sent at its intended time or, when the thread is late, at once, and its latency still counts from
 * the intended time. Welcomed devices join through a queue; the loop ends at {@code endNanos} and closes every
 * clip it left open.
 */
final class SenderThread implements Runnable {
  private static final long MAX_PARK_NANOS = 10_000_000;

  private final ConcurrentLinkedQueue<FleetDevice> joining = new ConcurrentLinkedQueue<>();
  private final PriorityQueue<FleetDevice> due = new PriorityQueue<>(Comparator.comparingLong(FleetDevice::nextNanos));
  private final LongSupplier nanoTime;
  private final Clock wallClock;
  private final LongSupplier endNanos;
  private volatile Thread thread;

  /** {@code endNanos} is read as the thread goes: the run's planned end, or an earlier one when it is stopped. */
  SenderThread(LongSupplier nanoTime, Clock wallClock, LongSupplier endNanos) {
    this.nanoTime = nanoTime;
    this.wallClock = wallClock;
    this.endNanos = endNanos;
  }

  /** Hands a welcomed device to this thread; any thread. */
  void join(FleetDevice device) {
    joining.add(device);
    Thread t = thread;
    if (t != null) {
      LockSupport.unpark(t);
    }
  }

  @Override
  public void run() {
    thread = Thread.currentThread();
    while (true) {
      // Read on every pass: a run that is stopped early (a signal, an unusable uplink) ends here too.
      long end = endNanos.getAsLong();
      FleetDevice d;
      while ((d = joining.poll()) != null) {
        d.begin(nanoTime.getAsLong());
        due.add(d);
      }
      long now = nanoTime.getAsLong();
      if (now >= end) {
        break;
      }
      FleetDevice next = due.peek();
      if (next == null || next.nextNanos() > now) {
        long until = next == null ? end : Math.min(next.nextNanos(), end);
        LockSupport.parkNanos(Math.min(MAX_PARK_NANOS, Math.max(1, until - now)));
        continue;
      }
      due.poll();
      next.step(wallClock.millis());
      due.add(next);
    }
    for (FleetDevice d : due) {
      d.finish(nanoTime.getAsLong(), wallClock.millis());
    }
  }
}
