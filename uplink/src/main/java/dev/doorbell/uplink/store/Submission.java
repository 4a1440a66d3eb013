package dev.doorbell.uplink.store;

import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * The answer of the store to one submission. {@code durable} completes when the record (or, for a duplicate, the
 * original record) is durable, or exceptionally with {@link StoreUnavailableException}. For a refusal it is
 * already complete and {@code detail} names the device, clip and frame and what was expected.
 *
 * <p>The future is completed on the store's writer thread: attach only short callbacks, or hop to another executor
 * (an event loop) with the {@code *Async} variants.
 */
public record Submission(Outcome outcome, String detail, CompletableFuture<Void> durable) {
    public Submission {
        Objects.requireNonNull(outcome, "outcome");
        Objects.requireNonNull(detail, "detail");
        Objects.requireNonNull(durable, "durable");
    }

    /** True for {@link Outcome#ACCEPTED} and {@link Outcome#DUPLICATE}: the bytes are (or will be) stored. */
    public boolean stored() {
        return outcome == Outcome.ACCEPTED || outcome == Outcome.DUPLICATE;
    }

    static Submission refused(Outcome outcome, String detail) {
        return new Submission(outcome, detail, CompletableFuture.completedFuture(null));
    }
}
