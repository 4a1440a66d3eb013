package dev.doorbell.uplink.store;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The answer of the store to one submission. {@code durable} completes when the record (or, for a duplicate, the
 * original record) is durable, or exceptionally with {@link StoreUnavailableException}. For a refusal it is
 * already complete and {@code detail} names the device, clip and frame and what was expected.
 *
 * <p>{@code readBack} is true when the answer took more than a positional read ({@link #asReadBack()}).
 *
 * <p>The future is completed on the store's writer thread: attach only short callbacks, or hop to another executor
 * (an event loop) with the {@code *Async} variants.
 */
public record Submission(Outcome outcome, String detail, CompletableFuture<Void> durable, boolean readBack) {
    public Submission {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(durable, "durable");
    }

    public Submission(Outcome outcome, String detail, CompletableFuture<Void> durable) {
        this(outcome, detail, durable, false);
    }

    /**
     * The same answer, marked as one that took more than a positional read to give: a frame or header sent again for a
     * closed clip whose records the index no longer locates, answered by reading its segments. A session counts these
     * (docs/PROTOCOL.md), so that a device sending old records in a loop cannot make the uplink read its disk at will.
     */
    Submission asReadBack() {
        return new Submission(outcome, detail, durable, true);
    }

    /** True for {@link Outcome#ACCEPTED} and {@link Outcome#DUPLICATE}: the bytes are (or will be) stored. */
    public boolean stored() {
        return outcome == Outcome.ACCEPTED || outcome == Outcome.DUPLICATE;
    }

    static Submission refused(Outcome outcome, String detail) {
        return new Submission(outcome, detail, CompletableFuture.completedFuture(null));
    }
}
