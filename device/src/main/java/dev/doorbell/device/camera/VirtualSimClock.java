package dev.doorbell.device.camera;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Virtual time: sleeping moves the clock forward instantly. A camera on this clock renders an hour of video as
 * fast as the CPU allows, and the same start time gives the same run every time.
 */
public final class VirtualSimClock implements SimClock {
    /** A fixed, arbitrary start (a summer noon, UTC) for tests that need no particular date. */
    public static final Instant DEFAULT_START = Instant.parse("2025-06-01T12:00:00Z");

    private final AtomicLong nowMicros;

    public VirtualSimClock(long startMicros) {
        this.nowMicros = new AtomicLong(startMicros);
    }

    public static VirtualSimClock startingAt(Instant start) {
        return new VirtualSimClock(
                Math.addExact(Math.multiplyExact(start.getEpochSecond(), 1_000_000L), start.getNano() / 1_000L));
    }

    public static VirtualSimClock startingAtDefault() {
        return startingAt(DEFAULT_START);
    }

    @Override
    public long nowMicros() {
        return nowMicros.get();
    }

    @Override
    public void sleepUntilMicros(long targetMicros) {
        nowMicros.accumulateAndGet(targetMicros, Math::max);
    }

    /** Moves the clock forward by {@code d}; negative durations are refused because time never goes backwards. */
    public void advance(Duration d) {
        if (d.isNegative()) {
            throw new IllegalArgumentException("cannot move a clock backwards by " + d);
        }
        nowMicros.addAndGet(d.toNanos() / 1_000L);
    }

    @Override
    public String toString() {
        return "VirtualSimClock{nowMicros=" + nowMicros.get() + "}";
    }
}
