package dev.doorbell.fleet.load;

import java.time.Clock;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One sender thread's loop over the devices it owns, bounded by {@code endNanos}.
 *
 * <p>Open loop: the thread's share of the aggregate rate is a fixed schedule of intended send times, device after
 * device. A frame is sent at its intended time or, when the thread is late, at once; its latency still counts from
 * the intended time, so a stall is charged to every frame it delays (no coordinated omission). A frame whose device
 * already has {@code inflight} unpersisted frames is skipped and counted. Saturation: every device is topped up to
 * {@code inflight} unpersisted frames; an ack wakes the thread.
 */
final class SenderLoop implements Runnable {
  private static final long IDLE_PARK_NANOS = 1_000_000;
  private static final long SPIN_BELOW_NANOS = 50_000;

  private final List<LoadDevice> devices;
  private final LoadCounters counters;
  private final LongSupplier nanoTime;
  private final Clock wallClock;
  private final int inflight;
  private final long startNanos;
  private final long endNanos;
  private final double intervalNanos;

  /** {@code intervalNanos} between this thread's frames; 0 saturates. */
  SenderLoop(List<LoadDevice> devices, LoadCounters counters, LongSupplier nanoTime, Clock wallClock, int inflight,
      long startNanos, long endNanos, double intervalNanos) {
    this.devices = List.copyOf(devices);
    this.counters = counters;
    this.nanoTime = nanoTime;
    this.wallClock = wallClock;
    this.inflight = inflight;
    this.startNanos = startNanos;
    this.endNanos = endNanos;
    this.intervalNanos = intervalNanos;
  }

  @Override
  public void run() {
    devices.forEach(d -> d.ownedBy(Thread.currentThread()));
    if (devices.isEmpty()) {
      return;
    }
    if (intervalNanos > 0) {
      openLoop();
    } else {
      saturate();
    }
  }

  private void openLoop() {
    for (long j = 0; ; j++) {
      long intended = startNanos + (long) (j * intervalNanos);
      if (intended >= endNanos) {
        return;
      }
      waitUntil(intended);
      LoadDevice device = devices.get((int) (j % devices.size()));
      if (device.unpersisted() >= inflight) {
        counters.framesSkipped.increment();
      } else {
        device.sendNext(intended, wallClock.millis());
      }
    }
  }

  private void saturate() {
    waitUntil(startNanos);
    while (true) {
      boolean sent = false;
      for (LoadDevice device : devices) {
        long now = nanoTime.getAsLong();
        if (now >= endNanos) {
          return;
        }
        if (device.unpersisted() < inflight) {
          device.sendNext(now, wallClock.millis());
          sent = true;
        }
      }
      if (!sent) {
        LockSupport.parkNanos(IDLE_PARK_NANOS);
      }
    }
  }

  private void waitUntil(long deadline) {
    long wait;
    while ((wait = deadline - nanoTime.getAsLong()) > 0) {
      if (wait > SPIN_BELOW_NANOS) {
        LockSupport.parkNanos(wait - SPIN_BELOW_NANOS);
      } else {
        Thread.onSpinWait();
      }
    }
  }
}
