package dev.doorbell.fleet.scenario;

import java.time.Duration;
import org.HdrHistogram.Histogram;

/**
 * What a {@link ReconnectStorm} measured.
 *
 * @param devices devices dropped at once (all of the run, or the storm's fraction)
 * @param reconnected devices welcomed again before the run ended
 * @param allReconnectedAfter time from the drop until the last device was welcomed again; null if some never were
 * @param before PERSISTED latency (µs) of frames acknowledged from the start of sending to the drop
 * @param during PERSISTED latency (µs) of frames acknowledged from the drop until all were back plus the settle time
 */
public record StormResult(
        int devices, long reconnected, Duration allReconnectedAfter, Histogram before, Histogram during) {

    public boolean allReconnected() {
        return allReconnectedAfter != null;
    }

    /** Reconnections per second over the storm, or 0 if not every device came back. */
    public double reconnectsPerSecond() {
        return allReconnected() ? devices / Math.max(1e-9, allReconnectedAfter.toNanos() / 1e9) : 0;
    }

    public String summary() {
        return String.format(
                "%d of %d devices back %s (%.0f/s); PERSISTED latency p99 %.1f ms before, %.1f ms during "
                        + "(max %.1f ms, %d frames)",
                reconnected,
                devices,
                allReconnected() ? "in " + allReconnectedAfter.toMillis() + " ms" : "NOT all before the end",
                reconnectsPerSecond(),
                Latency.p(before, 99),
                Latency.p(during, 99),
                Latency.max(during),
                during.getTotalCount());
    }
}
