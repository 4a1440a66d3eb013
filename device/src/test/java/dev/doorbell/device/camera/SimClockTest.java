package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimClockTest {

    @Test
    void virtualSleepUntil_future_jumpsThere_past_staysPut() {
        VirtualSimClock clock = new VirtualSimClock(1_000L);
        clock.sleepUntilMicros(5_000L);
        assertEquals(5_000L, clock.nowMicros());
        clock.sleepUntilMicros(2_000L);
        assertEquals(5_000L, clock.nowMicros());
        clock.advance(Duration.ofMillis(1));
        assertEquals(6_000L, clock.nowMicros());
        assertThrows(IllegalArgumentException.class, () -> clock.advance(Duration.ofMillis(-1)));
    }

    @Test
    void systemSleepUntil_target_returnsNotBeforeIt() {
        SystemSimClock clock = new SystemSimClock();
        long start = clock.nowMicros();
        assertTrue(Math.abs(start / 1_000L - System.currentTimeMillis()) < 1_000L, "near the wall clock");
        long target = start + 30_000L;
        clock.sleepUntilMicros(target);
        assertTrue(clock.nowMicros() >= target);
    }
}
