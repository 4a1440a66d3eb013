package dev.doorbell.uplink.store;

import java.time.Duration;

/**
 * How the writer comes back after a failed write or fsync: it tries to close the failed segment cleanly and start
 * a new one after {@code retryDelay}, doubling the wait after each further failure up to {@code maxRetryDelay}; after
 * {@code maxAttempts} failures in a row without a successful batch it gives up and the store stays unavailable
 * until it is reopened. The default never gives up: a disk that fills up and is cleared hours later must not need
 * a restart, and the growing delay keeps a long outage from making a segment file every few seconds.
 */
record FailurePolicy(Duration retryDelay, Duration maxRetryDelay, int maxAttempts) {
    FailurePolicy(Duration retryDelay, int maxAttempts) {
        this(retryDelay, retryDelay, maxAttempts);
    }

    static FailurePolicy defaults() {
        return new FailurePolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), Integer.MAX_VALUE);
    }

    /** The wait before attempt {@code failures + 1}, after {@code failures} failures in a row (at least 1). */
    long delayNanos(int failures) {
        long delay = retryDelay.toNanos();
        for (int i = 1; i < failures && delay < maxRetryDelay.toNanos(); i++) {
            delay *= 2;
        }
        return Math.min(delay, Math.max(retryDelay.toNanos(), maxRetryDelay.toNanos()));
    }
}
