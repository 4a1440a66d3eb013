package dev.doorbell.device.camera;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * When the doorbell button is pressed: whenever a visitor of the scene presses it (seeded visitors who arrive as a
 * Poisson process, see {@link Visitor}), plus any press forced with {@link #pressAt(long)}, which has no visitor
 * behind it. The camera asks once per frame how many presses happened since it last asked. Thread-safe, so that a
 * command line or a test can press the button while the camera runs.
 *
 * <p>The visitors live on the scene's timeline; {@code sceneMinusClockMicros} maps it to the camera's clock, so a
 * camera that replays the scene from a fixed instant on any clock hears the presses its frames show.
 */
public final class RingSchedule {
    private final Visitors visitors;
    private final long sceneMinusClockMicros;
    private final List<Long> forced = new ArrayList<>();
    private long consumedUntilMicros;
    private int latePresses;

    /**
     * Visitors on the clock's own timeline.
     *
     * @param visitorsPerHour mean visitors per hour, each pressing once or twice; 0 for none
     * @param fromMicros presses are counted from this time on (usually the camera's start)
     */
    public RingSchedule(long seed, double visitorsPerHour, long fromMicros) {
        this(new Visitors(seed, visitorsPerHour), fromMicros, 0);
    }

    RingSchedule(Visitors visitors, long fromMicros, long sceneMinusClockMicros) {
        this.visitors = visitors;
        this.sceneMinusClockMicros = sceneMinusClockMicros;
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

    /**
     * Sends a visitor of the scene to press the bell once at {@code micros} of the clock, after standing still at it
     * for {@code quietBefore}: a press the frames show, unlike {@link #pressAt(long)}. A time already passed is
     * counted at the next frame, as there; the visitor is drawn where they would be then.
     */
    public synchronized void visitorPressesAt(long micros, Duration quietBefore) {
        visitors.sendToPressAt(micros + sceneMinusClockMicros, quietBefore.toNanos() / 1_000L);
        if (micros <= consumedUntilMicros) {
            latePresses++;
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
        times.addAll(visitorPressesBetween(consumedUntilMicros + 1, nowMicros + 1));
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

    /** The visitors' presses in {@code [fromMicros, toMicros)} of the clock, without consuming them. */
    public List<Long> visitorPressesBetween(long fromMicros, long toMicros) {
        List<Long> out = new ArrayList<>();
        for (long scene :
                visitors.pressesBetween(fromMicros + sceneMinusClockMicros, toMicros + sceneMinusClockMicros)) {
            out.add(scene - sceneMinusClockMicros);
        }
        return out;
    }
}
