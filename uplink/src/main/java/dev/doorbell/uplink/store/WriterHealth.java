package dev.doorbell.uplink.store;

import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether the store's writer takes records, and when it tries the disk again after a failure: available, failed
 * (retrying after a growing delay, {@link FailurePolicy}) or given up (until the store is reopened). Not
 * thread-safe: the writer keeps it in a field guarded by the store's lock.
 */
final class WriterHealth {
    private static final Logger log = LoggerFactory.getLogger(WriterHealth.class);

    private enum State {
        AVAILABLE,
        FAILED,
        GAVE_UP
    }

    private final FailurePolicy policy;
    private State state = State.AVAILABLE;
    private int failures;
    private long retryAtNanos;
    private String failure = "";

    WriterHealth(FailurePolicy policy) {
        this.policy = policy;
    }

    boolean available() {
        return state == State.AVAILABLE;
    }

    /** Null when a record may be queued now, else why not. */
    Submission refusal(boolean stopping) {
        if (stopping) {
            return Submission.refused(Outcome.STOPPED, "the store is closing");
        }
        return switch (state) {
            case AVAILABLE -> null;
            case FAILED -> Submission.refused(Outcome.STORAGE_UNAVAILABLE, "the store cannot write now: " + failure);
            case GAVE_UP ->
                Submission.refused(
                        Outcome.STORAGE_UNAVAILABLE,
                        "the store gave up after " + failures + " failed attempts: " + failure + "; reopen it");
        };
    }

    /** How long until the next attempt is due (0 or less: now); a day when there is none to wait for. */
    long nanosUntilRetry(long now) {
        return state == State.FAILED ? retryAtNanos - now : TimeUnit.DAYS.toNanos(1);
    }

    /** One more failed attempt, saying why; gives up after the policy's maximum. */
    void failed(String why) {
        failure = why;
        failures++;
        if (failures >= policy.maxAttempts()) {
            state = State.GAVE_UP;
            log.error("store gave up after {} failed attempts; it stays unavailable until reopened", failures);
        } else {
            state = State.FAILED;
            retryAtNanos = System.nanoTime() + policy.delayNanos(failures);
        }
    }

    /** A new segment was started after a failure: records are taken again. */
    void recovered() {
        state = State.AVAILABLE;
    }

    /** Something became durable: the next failure counts from one again. */
    void durable() {
        failures = 0;
    }

    String failure() {
        return failure;
    }

    int failures() {
        return failures;
    }
}
