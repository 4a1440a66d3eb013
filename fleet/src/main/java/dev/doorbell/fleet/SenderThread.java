package dev.doorbell.fleet;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongSupplier;

/**
 * One sender thread's loop over the devices it owns, from the start of sending to its end; welcomed devices join
 * through a queue. Open loop (Poisson clips, a constant rate): the devices in order of their next intended frame
 * time; a frame is sealed and sent at its intended time or, when the thread is late, at once, and its latency still
 * counts from the intended time. Closed loop (saturation): every device is topped up to its frames in flight, an ack
 * wakes the thread. At the end every clip left open gets its final frame.
 */
final class SenderThread implements Runnable {
    private static final long MAX_PARK_NANOS = 10_000_000;
    private static final long IDLE_PARK_NANOS = 1_000_000;

    private final ConcurrentLinkedQueue<FleetDevice> joining = new ConcurrentLinkedQueue<>();
    private final PriorityQueue<FleetDevice> due =
            new PriorityQueue<>(Comparator.comparingLong(FleetDevice::nextNanos));
    private final List<FleetDevice> all = new ArrayList<>();
    private final boolean closedLoop;
    private final LongSupplier nanoTime;
    private final Clock wallClock;
    private final LongSupplier startNanos;
    private final LongSupplier endNanos;
    private volatile Thread thread;

    /**
     * {@code startNanos} and {@code endNanos} are read as the thread goes: sending starts when all are connected or
     * at once, and the run may be stopped early (a signal, an unusable uplink).
     */
    SenderThread(
            boolean closedLoop,
            LongSupplier nanoTime,
            Clock wallClock,
            LongSupplier startNanos,
            LongSupplier endNanos) {
        this.closedLoop = closedLoop;
        this.nanoTime = nanoTime;
        this.wallClock = wallClock;
        this.startNanos = startNanos;
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
        waitUntil(startNanos.getAsLong());
        if (closedLoop) {
            closedLoop();
        } else {
            openLoop();
        }
        for (FleetDevice d : all) {
            d.finish(nanoTime.getAsLong(), wallClock.millis());
        }
    }

    private void openLoop() {
        while (true) {
            // Read on every pass: a run that is stopped early ends here too.
            long end = endNanos.getAsLong();
            admit();
            long now = nanoTime.getAsLong();
            if (now >= end) {
                return;
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
    }

    private void closedLoop() {
        while (true) {
            admit();
            boolean sent = false;
            for (FleetDevice d : all) {
                long now = nanoTime.getAsLong();
                if (now >= endNanos.getAsLong()) {
                    return;
                }
                sent |= d.topUp(now, wallClock.millis());
            }
            if (!sent) {
                if (nanoTime.getAsLong() >= endNanos.getAsLong()) {
                    return;
                }
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
    }

    private void admit() {
        FleetDevice d;
        while ((d = joining.poll()) != null) {
            d.begin(Math.max(nanoTime.getAsLong(), startNanos.getAsLong()), thread);
            all.add(d);
            if (!closedLoop) {
                due.add(d);
            }
        }
    }

    private void waitUntil(long deadline) {
        long wait;
        while ((wait = deadline - nanoTime.getAsLong()) > 0 && nanoTime.getAsLong() < endNanos.getAsLong()) {
            LockSupport.parkNanos(Math.min(wait, MAX_PARK_NANOS));
        }
    }
}
