package dev.doorbell.device.camera;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RingScheduleTest {
    private static final long T0 = 1_750_000_000_000_000L;
    private static final long HOUR = 3_600_000_000L;

    @Test
    void visitorPresses_sameSeed_sameTimes_differentSeed_differentTimes() {
        List<Long> a = new RingSchedule(1, 10, T0).visitorPressesBetween(T0, T0 + 10 * HOUR);
        List<Long> b = new RingSchedule(1, 10, T0).visitorPressesBetween(T0, T0 + 10 * HOUR);
        List<Long> c = new RingSchedule(2, 10, T0).visitorPressesBetween(T0, T0 + 10 * HOUR);
        assertEquals(a, b);
        assertNotEquals(a, c);
    }

    @Test
    void pressesUntil_overManyHours_countsMatchRateAndSchedule() {
        RingSchedule rings = new RingSchedule(3, 10, T0);
        int total = 0;
        for (long t = T0; t < T0 + 100 * HOUR; t += 100_000L * 997) {
            total += rings.pressesUntil(t);
        }
        int scheduled = rings.visitorPressesBetween(T0, T0 + 100 * HOUR).size();
        assertTrue(Math.abs(total - scheduled) <= 1, total + " vs " + scheduled);
        // 10 visitors an hour for 100 hours, 45% of whom press twice: about 1450 presses, no longer about 1000
        // since presses come from visitors rather than straight from a Poisson process.
        assertTrue(total > 1250 && total < 1650, "10 visitors an hour for 100 hours, got " + total);
    }

    @Test
    void pressAt_forced_countedOnceAtItsTime() {
        RingSchedule rings = new RingSchedule(4, 0, T0);
        rings.pressAt(T0 + 500_000L);
        assertEquals(0, rings.pressesUntil(T0 + 400_000L));
        assertEquals(1, rings.pressesUntil(T0 + 500_000L));
        assertEquals(0, rings.pressesUntil(T0 + 600_000L));
    }

    @Test
    void pressAt_timeAlreadyPassed_countedAtNextCall() {
        RingSchedule rings = new RingSchedule(4, 0, T0);
        assertEquals(0, rings.pressesUntil(T0 + 1_000_000L));
        rings.pressAt(T0);
        assertEquals(1, rings.pressesUntil(T0 + 1_100_000L));
    }

    @Test
    void pressTimesUntil_visitorForcedAndLatePresses_eachDatedInOrder() {
        RingSchedule rings = new RingSchedule(5, 10, T0);
        List<Long> scheduled = rings.visitorPressesBetween(T0 + 200_001L, T0 + 10 * HOUR - 1);
        rings.pressAt(T0 + 250_000L);
        assertEquals(rings.visitorPressesBetween(T0, T0 + 200_001L), rings.pressTimesUntil(T0 + 200_000L));
        rings.pressAt(T0 + 100_000L);

        List<Long> times = rings.pressTimesUntil(T0 + 10 * HOUR - 1);

        List<Long> expected = new ArrayList<>(scheduled);
        expected.add(T0 + 250_000L);
        expected.add(T0 + 10 * HOUR - 1);
        expected.sort(null);
        assertEquals(expected, times, "forced at its time, the late one when it was noticed, with the visitors' ones");
    }
}
