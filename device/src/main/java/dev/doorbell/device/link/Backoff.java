package dev.doorbell.device.link;

import java.time.Duration;
import java.util.Random;

/**
 * Exponential reconnect backoff with full jitter: attempt n waits a uniform random time in
 * [0, min(max, initial * 2^n)]. Full jitter spreads a fleet that lost its uplink at the same instant, so that
 * thousands of devices do not reconnect in lockstep.
 */
final class Backoff {
    private final long initialNanos;
    private final long maxNanos;
    private final Random random;
    private long ceilingNanos;
    private int attempts;

    Backoff(Duration initial, Duration max, Random random) {
        this.initialNanos = initial.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
        this.ceilingNanos = initialNanos;
    }

    /** The delay before the next attempt; each call doubles the ceiling, up to the maximum, until {@link #reset()}. */
    long nextDelayNanos() {
        long delay = random.nextLong(ceilingNanos + 1);
        ceilingNanos = ceilingNanos > maxNanos / 2 ? maxNanos : Math.min(maxNanos, ceilingNanos * 2);
        attempts++;
        return delay;
    }

    /** Attempts since the last reset. */
    int attempts() {
        return attempts;
    }

    void reset() {
        ceilingNanos = initialNanos;
        attempts = 0;
    }
}
