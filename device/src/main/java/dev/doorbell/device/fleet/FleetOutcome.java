package dev.doorbell.device.fleet;

import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * What a fleet run or merge produced.
 *
 * @param totals the counts, added over every process
 * @param latencyMicros PERSISTED latency of the whole run, added from the hlogs
 * @param table the end table (summary.txt)
 * @param passed false when errors or connect failures passed their thresholds
 * @param reportDir where summary.txt, report.json, report.html and latency.hlog are
 */
public record FleetOutcome(FleetTotals totals, Histogram latencyMicros, String table, boolean passed,
    Path reportDir) {}
