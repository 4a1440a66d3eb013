package dev.doorbell.device.camera;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The visitors who come to ring the bell, on the scene's timeline: the seeded stream, plus those sent to press at a
 * given time ({@link #sendToPressAt}). The scene draws them and the ring schedule takes its presses from them, so
 * the two cannot disagree. A pure function of (seed, rate, the presses asked for, time). Thread-safe: a visitor may
 * be sent while the camera renders.
 */
final class Visitors {
    private final long seed;
    private final PoissonTimeline arrivals;
    private final List<Visitor> sent = new CopyOnWriteArrayList<>();

    /** @param ratePerHour mean visitors per hour; each presses once or twice */
    Visitors(long seed, double ratePerHour) {
        this.seed = seed;
        this.arrivals = new PoissonTimeline(Seeds.mix(seed, 0x52494E47L), ratePerHour / 3600.0);
    }

    /** Adds a visitor who presses once at {@code pressMicros}, having stood still at the bell for {@code quietMicros}. */
    Visitor sendToPressAt(long pressMicros, long quietMicros) {
        Visitor v = Visitor.pressingAt(seed, pressMicros, quietMicros);
        sent.add(v);
        return v;
    }

    /** The visitors in view at {@code timeMicros}. */
    List<Visitor> at(long timeMicros) {
        List<Visitor> out = new ArrayList<>(1);
        for (PoissonTimeline.Arrival a : arrivals.between(timeMicros - Visitor.MAX_DURATION_MICROS, timeMicros + 1)) {
            Visitor v = Visitor.from(a);
            if (v.visibleAt(timeMicros)) {
                out.add(v);
            }
        }
        for (Visitor v : sent) {
            if (v.visibleAt(timeMicros)) {
                out.add(v);
            }
        }
        return out;
    }

    /** Every visitor whose visit overlaps {@code [fromMicros, toMicros)}: the seeded ones in order, then those sent. */
    List<Visitor> during(long fromMicros, long toMicros) {
        List<Visitor> out = new ArrayList<>();
        for (PoissonTimeline.Arrival a : arrivals.between(fromMicros - Visitor.MAX_DURATION_MICROS, toMicros)) {
            Visitor v = Visitor.from(a);
            if (v.endMicros() > fromMicros) {
                out.add(v);
            }
        }
        for (Visitor v : sent) {
            if (v.endMicros() > fromMicros && v.startMicros() < toMicros) {
                out.add(v);
            }
        }
        return out;
    }

    /** The presses in {@code [fromMicros, toMicros)}, in time order. */
    List<Long> pressesBetween(long fromMicros, long toMicros) {
        List<Long> out = new ArrayList<>();
        for (Visitor v : during(fromMicros, toMicros)) {
            for (long press : v.pressesMicros()) {
                if (press >= fromMicros && press < toMicros) {
                    out.add(press);
                }
            }
        }
        out.sort(null);
        return out;
    }
}
