package dev.doorbell.uplink.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class FailurePolicyTest {
    @Test
    void delayNanos_afterFailures_doublesUpToTheMaximum() {
        FailurePolicy p = new FailurePolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), Integer.MAX_VALUE);
        assertEquals(Duration.ofSeconds(2).toNanos(), p.delayNanos(1));
        assertEquals(Duration.ofSeconds(4).toNanos(), p.delayNanos(2));
        assertEquals(Duration.ofSeconds(16).toNanos(), p.delayNanos(4));
        assertEquals(Duration.ofSeconds(30).toNanos(), p.delayNanos(5));
        assertEquals(Duration.ofSeconds(30).toNanos(), p.delayNanos(10_000));
    }

    @Test
    void defaults_neverGiveUp() {
        assertEquals(Integer.MAX_VALUE, FailurePolicy.defaults().maxAttempts());
    }
}
