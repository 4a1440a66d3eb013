package dev.doorbell.device.link;

import java.io.IOException;

/**
 * A command could not use the uplink at all (nothing listening, TLS trust refused either way): its message is the
 * one line to print. It carries no cause, so that a command line prints that line and no chain of exceptions; the
 * exception behind it is in {@link #failure()} for a log at debug level.
 */
public final class UplinkFailureException extends IOException {
    private final transient UplinkFailure failure;

    public UplinkFailureException(UplinkFailure failure) {
        this(failure.message(), failure);
    }

    /**
     * {@code message} says more than the failure alone, e.g. how many devices met it and for how long; {@code failure}
     * is null when only the line is known (read back from a worker process's report).
     */
    public UplinkFailureException(String message, UplinkFailure failure) {
        super(message);
        this.failure = failure;
    }

    /** The classified failure, or null when only the line is known. */
    public UplinkFailure failure() {
        return failure;
    }
}
