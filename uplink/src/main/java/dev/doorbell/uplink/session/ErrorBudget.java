package dev.doorbell.uplink.session;

import java.time.Duration;

/**
 * The non-fatal errors one session may cause: at most {@code max} within a window that opens with the first error
 * counted and lasts {@code window}; the error after that closes the session (TOO_MANY_ERRORS). A device that keeps
 * sending what must be refused costs the uplink a reply and a log line each time; this bounds both. Used on the
 * channel's event loop only.
 */
final class ErrorBudget {
    private final int max;
    private final long windowNanos;
    private long windowStart;
    private int counted;

    ErrorBudget(int max, Duration window) {
        this.max = max;
        this.windowNanos = window.toNanos();
    }

    /** Counts one error at {@code nowNanos} (System.nanoTime); false when it is one too many. */
    boolean spend(long nowNanos) {
        if (counted == 0 || nowNanos - windowStart >= windowNanos) {
            windowStart = nowNanos;
            counted = 0;
        }
        counted++;
        return counted <= max;
    }

    /** Errors counted in the current window, this one included. */
    int counted() {
        return counted;
    }
}
