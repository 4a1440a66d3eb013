package dev.doorbell.device.sim;

import java.time.Duration;

/**
 * When a doorbell advances its epoch key: after {@code every} of (simulated) time or after {@code clips} clips,
 * whichever comes first, always between clips. Zero disables that trigger.
 */
public record RatchetPolicy(Duration every, int clips) {
    public static final RatchetPolicy DAILY = new RatchetPolicy(Duration.ofDays(1), 0);

    public RatchetPolicy {
        if (every == null || every.isNegative() || clips < 0) {
            throw new IllegalArgumentException("ratchet policy needs a duration >= 0 and a clip count >= 0");
        }
    }

    boolean due(long microsSinceLastAdvance, int clipsSinceLastAdvance) {
        boolean byTime = !every.isZero() && microsSinceLastAdvance >= every.toNanos() / 1000;
        boolean byClips = clips > 0 && clipsSinceLastAdvance >= clips;
        return byTime || byClips;
    }
}
