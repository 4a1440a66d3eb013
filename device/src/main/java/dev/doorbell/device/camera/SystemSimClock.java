package dev.doorbell.device.camera;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Real time. The wall clock is read once and then advanced by {@link System#nanoTime()}, so that an NTP step or a
 * manual clock change cannot move capture times backwards in the middle of a clip.
 */
public final class SystemSimClock implements SimClock {
    private final long originMicros;
    private final long originNanos;

    public SystemSimClock() {
        this(Clock.systemUTC());
    }

    public SystemSimClock(Clock wallClock) {
        Instant now = wallClock.instant();
        this.originNanos = System.nanoTime();
        this.originMicros = Math.addExact(Math.multiplyExact(now.getEpochSecond(), 1_000_000L), now.getNano() / 1_000L);
    }

    @Override
    public long nowMicros() {
        return originMicros + (System.nanoTime() - originNanos) / 1_000L;
    }

    @Override
    public void sleepUntilMicros(long targetMicros) {
        while (true) {
            long remaining = targetMicros - nowMicros();
            if (remaining <= 0) {
                return;
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(remaining));
            if (Thread.currentThread().isInterrupted()) {
                return;
            }
        }
    }

    @Override
    public String toString() {
        return "SystemSimClock";
    }
}
