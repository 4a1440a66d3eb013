package dev.doorbell.conformance.bench;

import java.time.Duration;

/**
 * What one case of the bench found.
 *
 * @param verdict PASS, FAIL, or NOT_RUN when the device never reached the case (too few clips, or it stopped)
 * @param detail why it failed, or what it saw when it passed
 * @param elapsed from the first event of the case to its verdict
 */
public record BenchOutcome(BenchCase benchCase, Verdict verdict, String detail, Duration elapsed) {
    public enum Verdict {
        PASS,
        FAIL,
        NOT_RUN
    }

    public boolean passed() {
        return verdict == Verdict.PASS;
    }
}
