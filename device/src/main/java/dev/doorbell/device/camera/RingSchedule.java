package dev.doorbell.device.camera;

import java.util.ArrayList;
import java.util.List;

/**
 * When the doorbell button is pressed: at seeded random times (a Poisson process at a configurable rate), plus any
 * press forced with {@link #pressAt(long)}. The camera asks once per frame how many presses happened since it last
 * asked. Thread-safe, so that a command line or a test can press the button while the camera runs.
 */
public final class RingSchedule {
    private final PoissonTimeline random;
    private final List<Long> forced = new ArrayList<>();
    private long consumedUntilMicros;
    private int latePresses;

    /**
     * @param ratePerHour mean random presses per hour; 0 for none
     * @param fromMicros presses are counted from this time on (usually the camera's start)
     */
    public RingSchedule(long seed, double ratePerHour, long fromMicros) {
        this.random = new PoissonTimeline(Seeds.mix(seed, 0x52494E47L), ratePerHour / 3600.0);
        this.consumedUntilMicros = fromMicros - 1;
    }

    /** Forces a press at {@code micros}; a time already passed counts at the next frame. */
    public synchronized void pressAt(long micros) {
        if (micros <= consumedUntilMicros) {
            latePresses++;
        } else {
            forced.add(micros);
        }
    }

    /** Counts and consumes the presses after the previous call and up to and including {@code nowMicros}. */
    public int pressesUntil(long nowMicros) {
        return pressTimesUntil(nowMicros).size();
    }

    /**
     * Consumes the presses after the previous call and up to and including {@code nowMicros} and returns when each
     * happened, in order; a press forced for a time already passed is dated {@code nowMicros}, when it was noticed.
     */
    public synchronized List<Long> pressTimesUntil(long nowMicros) {
        if (nowMicros <= consumedUntilMicros) {
            return List.of();
        }
        List<Long> times = new ArrayList<>();
        for (PoissonTimeline.Arrival a : random.between(consumedUntilMicros + 1, nowMicros + 1)) {
            times.add(a.atMicros());
        }
        for (int i = 0; i < latePresses; i++) {
            times.add(nowMicros);
        }
        latePresses = 0;
        int kept = 0;
        for (long at : forced) {
            if (at <= nowMicros) {
                times.add(at);
            } else {
                forced.set(kept++, at);
            }
        }
        forced.subList(kept, forced.size()).clear();
        consumedUntilMicros = nowMicros;
        times.sort(null);
        return times;
    }

    /** The random presses in {@code [fromMicros, toMicros)}, without consuming them: the seeded schedule itself. */
    public List<Long> randomPressesBetween(long fromMicros, long toMicros) {
        List<Long> out = new ArrayList<>();
        for (PoissonTimeline.Arrival a : random.between(fromMicros, toMicros)) {
            out.add(a.atMicros());
        }
        return out;
    }
}
