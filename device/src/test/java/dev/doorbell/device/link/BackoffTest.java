package dev.doorbell.device.link;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackoffTest {
    private static final long MS = 1_000_000;

    @Test
    void nextDelay_manyAttempts_staysWithinDoublingCeilingCappedAtMax() {
        Backoff backoff = new Backoff(Duration.ofMillis(10), Duration.ofMillis(200), new Random(1));
        long ceiling = 10 * MS;
        for (int attempt = 0; attempt < 40; attempt++) {
            long delay = backoff.nextDelayNanos();
            assertTrue(delay >= 0 && delay <= ceiling, "attempt " + attempt + ": " + delay + " > " + ceiling);
            ceiling = Math.min(200 * MS, ceiling * 2);
        }
        assertEquals(40, backoff.attempts());
    }

    @Test
    void nextDelay_atTheCap_isJitteredOverTheWholeRange() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofMillis(100), new Random(2));
        long min = Long.MAX_VALUE;
        long max = 0;
        for (int i = 0; i < 1000; i++) {
            long d = backoff.nextDelayNanos();
            min = Math.min(min, d);
            max = Math.max(max, d);
        }
        assertTrue(min < 10 * MS, "full jitter reaches near zero, min " + min);
        assertTrue(max > 90 * MS, "full jitter reaches near the ceiling, max " + max);
    }

    @Test
    void nextDelay_sameSeed_sameSchedule() {
        Backoff a = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(5), new Random(9));
        Backoff b = new Backoff(Duration.ofMillis(10), Duration.ofSeconds(5), new Random(9));
        for (int i = 0; i < 20; i++) {
            assertEquals(a.nextDelayNanos(), b.nextDelayNanos());
        }
    }

    @Test
    void reset_afterGrowth_returnsToInitialCeiling() {
        Backoff backoff = new Backoff(Duration.ofMillis(1), Duration.ofSeconds(10), new Random(3));
        for (int i = 0; i < 20; i++) {
            backoff.nextDelayNanos();
        }
        backoff.reset();
        for (int i = 0; i < 100; i++) {
            assertTrue(backoff.nextDelayNanos() <= MS);
            backoff.reset();
        }
        assertEquals(0, backoff.attempts());
    }
}
