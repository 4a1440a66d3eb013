package dev.doorbell.fleet;

import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * What a fleet run or merge produced.
 *
 * @param totals the counts, added over every process
 * @param latencyMicros PERSISTED latency of the whole run, added from the hlogs
 * @param table the end table (summary.txt)
 * @param passed the verdict: within both limits, nothing acknowledged lost, something persisted, the uplink usable
 * @param reportDir where summary.txt, report.json, report.html and latency.hlog are
 * @param interrupted whether a run ended early on a signal (its figures cover the run until then)
 * @param measured a single run's figures over its measured window (the sending time after the warmup), as the
 *     benchmarks print them; null for a merge
 */
public record FleetOutcome(
        FleetTotals totals,
        Histogram latencyMicros,
        String table,
        boolean passed,
        Path reportDir,
        boolean interrupted,
        LoadResult measured) {

    /** The same outcome with a run's measured window. */
    FleetOutcome withMeasured(LoadResult window) {
        return new FleetOutcome(totals, latencyMicros, table, passed, reportDir, interrupted, window);
    }
}
