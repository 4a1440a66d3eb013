package dev.doorbell.fleet;

/**
 * When the fleet stops sending: at the end of {@code --duration} (planned when sending starts; until then, never), or
 * earlier, once, for a reason (a signal, an uplink that no device can use). The ramp, the sender threads and the
 * ticker all read {@link #nanos()} as they go, so an early end is an end like the planned one: open clips get their
 * final frame, then the drain.
 */
final class RunEnd {
    /** How a run ended: its planned end, a signal (SIGINT, SIGTERM, or the parent of a worker), or an abort. */
    enum Cause {
        DURATION,
        SIGNAL,
        ABORT
    }

    private volatile long endNanos = Long.MAX_VALUE;
    private volatile Cause cause = Cause.DURATION;
    private volatile String reason = "duration";

    /** Sets the planned end; a run stopped already keeps its end. */
    synchronized void plan(long endNanos) {
        if (cause == Cause.DURATION) {
            this.endNanos = endNanos;
        }
    }

    long nanos() {
        return endNanos;
    }

    /** Ends the run at {@code nowNanos} unless it has ended or was stopped already; true if this call stopped it. */
    synchronized boolean stop(long nowNanos, Cause why, String reason) {
        if (cause != Cause.DURATION || nowNanos >= endNanos) {
            return false;
        }
        this.cause = why;
        this.reason = reason;
        this.endNanos = nowNanos;
        return true;
    }

    Cause cause() {
        return cause;
    }

    /** "duration", the signal's name, or the abort's one-line reason. */
    String reason() {
        return reason;
    }
}
