package dev.doorbell.fleet.scenario;

import dev.doorbell.fleet.LiveFleet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Condition waits with a deadline on the run's clock, for scenarios; never a fixed sleep. */
final class Waits {
    private static final long POLL_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private Waits() {}

    /** Polls {@code done} every millisecond until it holds (true) or {@code deadlineNanos} passes (its last value). */
    static boolean until(LiveFleet live, BooleanSupplier done, long deadlineNanos) throws InterruptedException {
        while (!done.getAsBoolean()) {
            if (live.nanoTime() >= deadlineNanos) {
                return done.getAsBoolean();
            }
            LockSupport.parkNanos(Math.min(POLL_NANOS, Math.max(1, deadlineNanos - live.nanoTime())));
            if (Thread.interrupted()) {
                throw new InterruptedException("scenario interrupted");
            }
        }
        return true;
    }
}
