package dev.doorbell.testing;

import java.time.Duration;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionFactory;

/**
 * Awaitility the way this project's tests wait: for a condition named in words, within a deadline that each call
 * states. The condition is checked at once, then after 1 ms and at doubling intervals up to 20 ms, so that a quick
 * condition costs nothing and a slow one is not polled in a busy loop. A test never sleeps a fixed time and hopes.
 *
 * <p>An exception that another thread does not catch does not fail the wait (Awaitility's default would): tests here
 * break stores and connections on purpose, and what a test checks is its condition.
 */
public final class Waits {
    private static final Duration FIRST = Duration.ofMillis(1);
    private static final Duration LONGEST = Duration.ofMillis(20);

    private Waits() {}

    /**
     * Waits for {@code what} (the failure reads "Condition with alias 'what' didn't complete within ...") at most
     * {@code atMost}. Add {@code failFast} for an end that makes waiting longer pointless, such as a dead process.
     */
    public static ConditionFactory await(String what, Duration atMost) {
        return Awaitility.await(what)
                .atMost(atMost)
                .pollDelay(Duration.ZERO)
                .dontCatchUncaughtExceptions()
                .pollInterval((count, previous) -> count <= 1 ? FIRST : min(previous.multipliedBy(2), LONGEST));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
