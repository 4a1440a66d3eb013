package dev.doorbell.conformance;

import java.time.Duration;

/** The verdict of one case: PASS, or FAIL with what went wrong; {@code transcript} is the rendered exchange. */
public record CaseResult(
        ConformanceCase conformanceCase, boolean passed, String detail, Duration elapsed, String transcript) {
    public String verdict() {
        return passed ? "PASS" : "FAIL";
    }
}
