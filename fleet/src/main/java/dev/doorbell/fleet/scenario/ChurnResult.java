package dev.doorbell.fleet.scenario;

import org.HdrHistogram.Histogram;

/**
 * What a {@link Churn} measured over the sending time.
 *
 * @param devices devices in the run
 * @param leavesPerSecond the rate asked for
 * @param leaves connections dropped
 * @param rejoins welcomes after a drop (a device that left twice before returning rejoins once)
 * @param connectedAtEnd devices connected when sending stopped
 * @param latency PERSISTED latency (µs) of frames acknowledged during the churn
 */
public record ChurnResult(
        int devices, double leavesPerSecond, long leaves, long rejoins, long connectedAtEnd, Histogram latency) {

    public String summary() {
        return String.format(
                "%d devices, %.1f leaves/s asked: %d left, %d rejoined, %d connected at the end; "
                        + "PERSISTED latency p50 %.1f ms p99 %.1f ms max %.1f ms (%d frames)",
                devices,
                leavesPerSecond,
                leaves,
                rejoins,
                connectedAtEnd,
                Latency.p(latency, 50),
                Latency.p(latency, 99),
                Latency.max(latency),
                latency.getTotalCount());
    }
}
