package dev.doorbell.fleet;

import java.util.List;

/**
 * What a report shows besides the counts and the latency logs: where and how the run ran, its time series, errors by
 * code, slowest devices, and the thresholds it was given.
 *
 * @param meta where and how it ran; null when not known (a report made from counts and logs alone)
 * @param series a point per progress tick (several processes' added)
 * @param errors what went wrong, by code
 * @param slowest the devices with the longest PERSISTED latency, slowest first
 * @param thresholds the run's {@code --threshold}s
 */
record RunDetails(
        RunMeta meta,
        List<RunSeries.Point> series,
        List<ErrorTable.Entry> errors,
        List<SlowDevice> slowest,
        List<Threshold> thresholds) {

    RunDetails {
        series = List.copyOf(series);
        errors = List.copyOf(errors);
        slowest = List.copyOf(slowest);
        thresholds = List.copyOf(thresholds);
    }

    /** Nothing besides the counts and logs. */
    static RunDetails none() {
        return new RunDetails(null, List.of(), List.of(), List.of(), List.of());
    }
}
