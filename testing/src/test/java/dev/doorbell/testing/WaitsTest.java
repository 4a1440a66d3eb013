package dev.doorbell.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.Test;

class WaitsTest {
    @Test
    void await_conditionTrueAtOnce_returnsWithoutWaiting() {
        long t0 = System.nanoTime();
        Waits.await("something already true", Duration.ofSeconds(10)).until(() -> true);
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(1).toNanos());
    }

    @Test
    void await_conditionTrueLater_returnsTheValueThatMatched() {
        AtomicInteger polls = new AtomicInteger();
        int value = Waits.await("the fifth poll", Duration.ofSeconds(10)).until(polls::incrementAndGet, n -> n >= 5);
        assertEquals(5, value);
    }

    @Test
    void await_neverTrue_failsAtTheDeadlineNamingTheCondition() {
        AtomicInteger polls = new AtomicInteger();
        long t0 = System.nanoTime();
        ConditionTimeoutException e = assertThrows(
                ConditionTimeoutException.class,
                () -> Waits.await("the moon to turn blue", Duration.ofMillis(300))
                        .until(() -> polls.incrementAndGet() < 0));
        long tookMs = Duration.ofNanos(System.nanoTime() - t0).toMillis();
        assertTrue(e.getMessage().contains("the moon to turn blue"), e.getMessage());
        assertTrue(tookMs >= 300 && tookMs < 5_000, tookMs + " ms");
        // At most 20 ms apart: about 15 polls in 300 ms, however busy the machine, but never a busy loop.
        assertTrue(polls.get() >= 5 && polls.get() < 300, polls + " polls");
    }

    @Test
    void await_failFast_endsBeforeTheDeadline() {
        long t0 = System.nanoTime();
        TerminalFailureException e = assertThrows(
                TerminalFailureException.class,
                () -> Waits.await("a dead process to answer", Duration.ofSeconds(30))
                        .failFast("it is dead", () -> true)
                        .until(() -> false));
        assertTrue(e.getMessage().contains("it is dead"), e.getMessage());
        assertTrue(System.nanoTime() - t0 < Duration.ofSeconds(10).toNanos());
    }
}
